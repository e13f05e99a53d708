/**
 * The audit trail's state as the dashboard reads it, what in it is wrong, and the small card the home page shows
 * when something is: a verification that was not clean, or an offsite copy that keeps failing.
 */
import type { AuditStatus, AuditVerification } from "@keyward/contracts/audit";
import { Alert, List } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { TONES } from "../labels.ts";
import { useSession } from "../session.tsx";

/** The query key of `GET /audit/status`; the audit page and the home page share it. */
export const AUDIT_STATUS_KEY = ["audit", "status"] as const;

/** Words for a verification's outcome: the badge and the sentence under it. */
export const VERIFICATION_WORDS: Record<AuditVerification["status"], { label: string; color: string; says: string }> = {
  ok: {
    label: "OK",
    color: TONES.ok,
    says: "The trail is intact: every entry, checkpoint signature and cabinet chain checked out.",
  },
  anomalies: {
    label: "Anomalies",
    color: TONES.warning,
    says: "The trail's proofs hold, but the verifier saw something that needs a look.",
  },
  tampered: {
    label: "Tampered",
    color: TONES.danger,
    says: "The trail was altered after it was written: the findings say where.",
  },
};

/** The organization's audit trail; fetched only for roles that may read it (`enabled`). */
export function useAuditStatus(enabled: boolean) {
  return useQuery({
    queryKey: AUDIT_STATUS_KEY,
    queryFn: () => api.get<AuditStatus>("audit/status"),
    enabled,
    // why: a checkpoint is signed at least every minute and offsite copies retry on their own schedule
    refetchInterval: 60_000,
  });
}

/** An offsite target is failing while its latest attempts keep failing. */
export function isFailing(target: AuditStatus["offsite"][number]): boolean {
  return target.failures > 0;
}

/** What is wrong with the trail, one sentence each; empty when nothing is. */
export function auditTroubles(status: AuditStatus | undefined): string[] {
  if (!status) {
    return [];
  }
  const troubles: string[] = [];
  const verification = status.lastVerification;
  if (verification && verification.status !== "ok") {
    troubles.push(
      verification.status === "tampered"
        ? "The last verification found the audit trail tampered with."
        : "The last verification found anomalies in the audit trail.",
    );
  }
  for (const target of status.offsite.filter(isFailing)) {
    troubles.push(
      `The offsite copy to ${target.target} is failing (${target.failures} attempt${target.failures === 1 ? "" : "s"} in a row).`,
    );
  }
  return troubles;
}

/**
 * The home page's warning about the audit trail: whether there is one (for "nothing needs attention") and the card.
 * Roles that may not read the trail never ask the server and never see it.
 */
export function useAuditWarning(): { pending: boolean; troubles: string[] } {
  const session = useSession();
  const readsTrail = session.can("read", "auditTrail", null);
  const status = useAuditStatus(readsTrail);
  return { pending: readsTrail && status.isPending, troubles: auditTroubles(status.data) };
}

/** A small red card naming what is wrong with the trail, linking to the audit page; nothing when all is well. */
export function AuditTrailWarning({ troubles }: { troubles: string[] }) {
  if (troubles.length === 0) {
    return null;
  }
  return (
    <Alert color="red" title="Audit trail needs attention">
      <List size="sm" spacing={2}>
        {troubles.map((t) => (
          <List.Item key={t}>{t}</List.Item>
        ))}
      </List>
      <AppLink to="/audit" size="sm" fw={600}>
        Open the audit trail
      </AppLink>
    </Alert>
  );
}
