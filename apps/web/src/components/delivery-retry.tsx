/**
 * "Retry now" for an alert message (an e-mail, a text or a webhook call) that failed or waits after an error: one
 * mutation per table, a button per row and the error under the table. The alert page and the webhook delivery log
 * share it.
 */
import type { AlertDeliveryStatus } from "@keyward/contracts/alerts";
import { Button, Text } from "@mantine/core";
import { type UseMutationResult, useMutation } from "@tanstack/react-query";
import { isRetryable } from "../alerts.ts";
import { api } from "../api.ts";
import { useInvalidate } from "../queries.ts";

export type DeliveryRetry = UseMutationResult<unknown, Error, string>;

/** The retry mutation; `paths` are the query prefixes to refetch afterwards. */
export function useDeliveryRetry(...paths: string[]): DeliveryRetry {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => api.post<unknown>(`alert-deliveries/${id}/retry`),
    onSettled: () => invalidate(...paths),
  });
}

/** The row's button, when the delivery can be retried. */
export function RetryDeliveryButton({
  delivery,
  retry,
}: {
  delivery: { id: string; status: AlertDeliveryStatus; lastError: string | null };
  retry: DeliveryRetry;
}) {
  if (!isRetryable(delivery)) {
    return null;
  }
  return (
    <Button size="xs" variant="light" loading={retry.isPending} onClick={() => retry.mutate(delivery.id)}>
      Retry now
    </Button>
  );
}

/** Why the last retry was refused, if it was. */
export function RetryDeliveryError({ retry }: { retry: DeliveryRetry }) {
  return retry.error ? (
    <Text c="red.9" size="sm" role="alert">
      {retry.error.message}
    </Text>
  ) : null;
}
