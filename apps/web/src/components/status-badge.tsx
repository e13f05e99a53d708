/** A record's status as a coloured badge with words (colour is never the only signal). */
import { Badge } from "@mantine/core";
import { humanize, statusColor } from "../labels.ts";

export function StatusBadge({ status, label, color }: { status: string; label?: string; color?: string }) {
  return (
    <Badge variant="light" color={color ?? statusColor(status)} radius="sm">
      {label ?? humanize(status)}
    </Badge>
  );
}
