/**
 * The key map: where every key of the property is. Per cabinet, its hook grid with each key in place, the empty
 * hooks, and for the keys that left it who holds them since when and why; then the keys that are elsewhere (lost,
 * with a resident, retired). Live: the stream refetches it after each cabinet event.
 */
import { Alert, Badge, Group, SimpleGrid, Stack, Tabs, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { AlarmBadge, ConnectionBadge } from "../components/cabinet-state-view.tsx";
import { Section } from "../components/detail-layout.tsx";
import { HolderCell } from "../components/holder-cell.tsx";
import { HookGrid } from "../components/hook-grid.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { isOverdue, useCabinetStates, useNow, useOpenCheckouts } from "../custody.ts";
import { describeZone, formatAgo, formatInstant } from "../format.ts";
import { KEY_STATUS_LABELS } from "../labels.ts";
import { useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Cabinet, Checkout, Key, KeyStatus } from "../types.ts";

const ELSEWHERE: KeyStatus[] = ["lost", "with_resident", "retired"];
/** How many keys of each "elsewhere" status are listed; the link beneath opens the full, filterable list. */
const ELSEWHERE_SHOWN = 50;

function OutOfCabinet({ checkouts, zone }: { checkouts: Checkout[]; zone: string }) {
  const now = useNow();
  if (checkouts.length === 0) {
    return (
      <Text size="sm" c="gray.7">
        No key of this cabinet is out.
      </Text>
    );
  }
  return (
    <Stack component="ul" gap={8} p={0} m={0} style={{ listStyle: "none" }} aria-label="Keys out of this cabinet">
      {checkouts.map((c) => (
        <Group component="li" key={c.id} gap="xs" wrap="wrap" align="baseline">
          <AppLink to={`/keys/${c.key.id}`} fw={600}>
            {c.key.label}
          </AppLink>
          <Text size="sm" c="gray.7">
            hook {c.hookOut ?? "—"}
          </Text>
          <HolderCell checkout={c} />
          <Text size="sm">
            since {formatAgo(c.since, now)} ({formatInstant(c.since, zone)}){c.reason ? ` · ${c.reason.label}` : ""}
            {c.workOrder ? ` · WO ${c.workOrder}` : ""}
          </Text>
          {isOverdue(c, now) && (
            <Badge color="red.9" variant="filled" radius="sm">
              Overdue
            </Badge>
          )}
        </Group>
      ))}
    </Stack>
  );
}

function Elsewhere({ propertyId, status }: { propertyId: string | null; status: KeyStatus }) {
  const list = useQuery({
    queryKey: ["keys", "elsewhere", propertyId, status],
    queryFn: () => api.list<Key>("keys", { propertyId, status, sort: "label", limit: ELSEWHERE_SHOWN }),
  });
  return (
    <div>
      <Text fw={600} mb={4}>
        {KEY_STATUS_LABELS[status]}
        {list.data ? ` (${list.data.items.length}${list.data.nextCursor ? "+" : ""})` : ""}
      </Text>
      {!list.data ? (
        <QueryState error={list.error} pending={list.isPending} />
      ) : list.data.items.length === 0 ? (
        <Text size="sm" c="gray.7">
          None.
        </Text>
      ) : (
        <Stack component="ul" gap={2} p={0} m={0} style={{ listStyle: "none" }} aria-label={KEY_STATUS_LABELS[status]}>
          {list.data.items.map((k) => (
            <li key={k.id}>
              <AppLink to={`/keys/${k.id}`}>{k.label}</AppLink>
            </li>
          ))}
          {list.data.nextCursor && (
            <li>
              <AppLink to={`/keys?status=${status}`} size="sm">
                All {KEY_STATUS_LABELS[status].toLowerCase()} keys
              </AppLink>
            </li>
          )}
        </Stack>
      )}
    </div>
  );
}

export function KeyMapPage() {
  const session = useSession();
  const { propertyId } = session;
  const cabinets = useOptionsList<Cabinet>("cabinets", { propertyId });
  const states = useCabinetStates(propertyId);
  const open = useOpenCheckouts(propertyId);
  const active = (cabinets.data ?? []).filter((c) => c.status !== "archived");
  const stateOf = new Map((states.data ?? []).map((s) => [s.cabinetId, s]));
  const first = active[0];

  return (
    <Page
      title="Key map"
      description={
        session.property
          ? `${session.property.name} · times in ${describeZone(session.property.timeZone)}`
          : "All properties"
      }
    >
      <Section title="Cabinets">
        {!cabinets.data ? (
          <QueryState error={cabinets.error} pending={cabinets.isPending} />
        ) : !first ? (
          <Alert color="gray">No cabinet here yet.</Alert>
        ) : (
          <Tabs defaultValue={first.id} keepMounted={false}>
            <Tabs.List mb="md">
              {active.map((c) => (
                <Tabs.Tab
                  key={c.id}
                  value={c.id}
                  rightSection={<AlarmBadge state={stateOf.get(c.id)} />}
                  aria-label={`Cabinet ${c.name}`}
                >
                  {c.name}
                  {propertyId === null ? ` · ${session.propertyName(c.propertyId)}` : ""}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {active.map((c) => {
              const zone = session.zoneOf(c.propertyId);
              const leftHere = (open.data?.items ?? []).filter((o) => o.cabinet?.id === c.id);
              return (
                <Tabs.Panel key={c.id} value={c.id}>
                  <Stack>
                    <Group gap="xs">
                      <ConnectionBadge state={stateOf.get(c.id)} />
                      <AppLink to={`/cabinets/${c.id}`} size="sm">
                        Cabinet page
                      </AppLink>
                    </Group>
                    <div>
                      <Text fw={600} mb={6}>
                        Out of this cabinet ({leftHere.length})
                      </Text>
                      <OutOfCabinet checkouts={leftHere} zone={zone} />
                    </div>
                    <HookGrid
                      cabinet={c}
                      canUpdate={session.can("update", "cabinet", c.propertyId)}
                      openCheckouts={open.data?.items}
                    />
                  </Stack>
                </Tabs.Panel>
              );
            })}
          </Tabs>
        )}
      </Section>
      <Section title="Keys elsewhere">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {ELSEWHERE.map((status) => (
            <Elsewhere key={status} propertyId={propertyId} status={status} />
          ))}
        </SimpleGrid>
      </Section>
    </Page>
  );
}
