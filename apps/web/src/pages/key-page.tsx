/** One key: who had it (its checkouts, newest first), its details, where it hangs, and every change to it. */
import { Badge, Group, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useParams } from "react-router";
import { AppLink } from "../components/app-link.tsx";
import { DetailLayout, Section } from "../components/detail-layout.tsx";
import { Editable } from "../components/form.tsx";
import { KeyForm } from "../components/key-form.tsx";
import { KeyHistory } from "../components/key-history.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { KEY_STATUS_COLORS, KEY_STATUS_LABELS } from "../labels.ts";
import { useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Cabinet, Key } from "../types.ts";

export function KeyPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const key = useRecord<Key>("keys", id);
  const cabinet = useRecord<Cabinet>("cabinets", key.data?.cabinetId);
  if (!key.data) {
    return <QueryState error={key.error} pending={key.isPending} />;
  }
  const k = key.data;
  return (
    <Page
      title={`Key ${k.label}`}
      description={
        <Group gap="xs" component="span">
          <Badge variant="light" radius="sm" color={KEY_STATUS_COLORS[k.status]}>
            {KEY_STATUS_LABELS[k.status]}
          </Badge>
          <Text span size="sm">
            {session.propertyName(k.propertyId)}
            {k.cabinetId && cabinet.data ? " · " : ""}
            {k.cabinetId && cabinet.data && (
              <AppLink to={`/cabinets/${k.cabinetId}`}>
                {cabinet.data.name}, hook {k.hookNumber}
              </AppLink>
            )}
          </Text>
        </Group>
      }
    >
      <DetailLayout history={{ entityType: "key", entityId: k.id }}>
        <Section title="Who had this key">
          <KeyHistory keyId={k.id} zone={session.zoneOf(k.propertyId)} />
        </Section>
        <Section title="Details">
          <Editable allowed={session.can("update", "key", k.propertyId)}>
            <KeyForm
              key={k.updatedAt}
              keyRecord={k}
              onSaved={() => notifications.show({ color: "green", message: "Key saved." })}
            />
          </Editable>
        </Section>
      </DetailLayout>
    </Page>
  );
}
