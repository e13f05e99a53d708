/** A record's page: its main content on the left and its history on the right (below, on a phone). */
import { Grid, Paper, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { HistoryList } from "./history-list.tsx";

export function DetailLayout({
  children,
  history,
}: {
  children: ReactNode;
  history: { entityType: string; entityId: string };
}) {
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 7 }}>{children}</Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <Section title="History">
          <HistoryList entityType={history.entityType} entityId={history.entityId} />
        </Section>
      </Grid.Col>
    </Grid>
  );
}

/** A titled white panel. */
export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Paper withBorder p={{ base: "sm", sm: "md" }} radius="md" mb="lg" component="section" aria-label={title}>
      <Title order={2} fz="lg" mb="sm" style={{ display: "flex", justifyContent: "space-between", gap: 8 }}>
        <span>{title}</span>
        {actions}
      </Title>
      {children}
    </Paper>
  );
}
