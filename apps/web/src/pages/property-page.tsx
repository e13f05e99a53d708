/** One property: its settings, its CSV exports, and its history. */
import { Button, Group, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useParams } from "react-router";
import { apiUrl } from "../api.ts";
import { DetailLayout, Section } from "../components/detail-layout.tsx";
import { Editable } from "../components/form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { PropertyForm } from "../components/property-form.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { IMPORT_KIND_ENTITY, IMPORT_KIND_LABELS, keysOf } from "../labels.ts";
import { useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Property } from "../types.ts";

export function PropertyPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const property = useRecord<Property>("properties", id);
  if (!property.data) {
    return <QueryState error={property.error} pending={property.isPending} />;
  }
  const p = property.data;
  const exportable = keysOf(IMPORT_KIND_LABELS).filter((kind) => session.can("read", IMPORT_KIND_ENTITY[kind], p.id));
  return (
    <Page
      title={p.name}
      description={
        <>
          <StatusBadge status={p.status} /> {p.code} · {p.timeZone}
        </>
      }
    >
      <DetailLayout history={{ entityType: "property", entityId: p.id }}>
        <Section title="Settings">
          <Editable allowed={session.can("update", "property", p.id)}>
            <PropertyForm
              key={p.updatedAt}
              property={p}
              onSaved={() => notifications.show({ color: "green", message: "Property saved." })}
            />
          </Editable>
        </Section>
        {exportable.length > 0 && (
          <Section title="Export">
            <Text size="sm" c="dimmed" mb="sm">
              CSV files in the columns the import reads, so they can be edited and imported again.
            </Text>
            <Group gap="xs">
              {exportable.map((kind) => (
                <Button
                  key={kind}
                  component="a"
                  href={apiUrl(`properties/${p.id}/export/${kind}`)}
                  download
                  variant="default"
                >
                  {IMPORT_KIND_LABELS[kind]} (CSV)
                </Button>
              ))}
            </Group>
          </Section>
        )}
      </DetailLayout>
    </Page>
  );
}
