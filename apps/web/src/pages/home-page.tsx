/**
 * The first screen answers "is anything wrong right now?" with what the admin plane knows today: keys by status,
 * lost keys, cabinets not yet enrolled, people past their end date who are still active, and the keys that are out.
 */
import {
  Alert,
  Anchor,
  Badge,
  Grid,
  Group,
  List,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  ThemeIcon,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, listAll } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { Section } from "../components/detail-layout.tsx";
import { Page } from "../components/page.tsx";
import { formatInstant, formatLocalDate, todayIn } from "../format.ts";
import { CABINET_STATUS_LABELS, KEY_STATUS_COLORS, KEY_STATUS_LABELS, keysOf } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { Cabinet, Key, KeyStatus, Overview, Person } from "../types.ts";

/** How many names the "still active after their end date" list shows; the count above it is exact. */
const PAST_END_SHOWN = 20;

function StatCard({ status, count }: { status: KeyStatus; count: number | undefined }) {
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component={Link}
      to={`/keys?status=${status}`}
      style={{ textDecoration: "none" }}
    >
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" c="dimmed" fw={600}>
          {KEY_STATUS_LABELS[status]}
        </Text>
        <ThemeIcon size={10} radius="xl" color={KEY_STATUS_COLORS[status]} aria-hidden />
      </Group>
      {count === undefined ? (
        <Skeleton h={34} mt={6} w={80} />
      ) : (
        <Text fz={30} fw={700} c="dark" lh={1.3} mt={4}>
          {count.toLocaleString("en-US")}
        </Text>
      )}
      <Text size="xs" c="dimmed">
        keys
      </Text>
    </Paper>
  );
}

export function HomePage() {
  const session = useSession();
  const { propertyId } = session;
  const readsKeys = session.propertiesWhere("read", "key").length > 0;
  const readsCabinets = session.propertiesWhere("read", "cabinet").length > 0;
  const readsPeople = session.propertiesWhere("read", "person").length > 0 || session.can("read", "person", null);

  // why: the server counts with grouped queries over what the user may read; the browser never pages to count
  const counts = useQuery({
    queryKey: ["overview", propertyId],
    enabled: readsKeys || readsCabinets || readsPeople,
    queryFn: () => api.get<Overview>("overview", { propertyId }),
  });
  const out = useQuery({
    queryKey: ["keys", "home-out", propertyId],
    enabled: readsKeys,
    queryFn: () => api.list<Key>("keys", { propertyId, status: "out", limit: 10 }),
  });
  const cabinets = useQuery({
    queryKey: ["cabinets", "home", propertyId],
    enabled: readsCabinets,
    queryFn: async () => (await listAll<Cabinet>("cabinets", { propertyId }, 500)).items,
  });
  const pastEnd = useQuery({
    queryKey: ["people", "home-past-end", propertyId],
    enabled: readsPeople,
    queryFn: async () => {
      const page = await api.list<Person>("people", {
        homePropertyId: propertyId,
        status: "active",
        // why: an end date is a local calendar date where the person works
        endDateBefore: todayIn(session.zoneOf(propertyId)),
        sort: "-createdAt",
        limit: PAST_END_SHOWN,
      });
      return page.items;
    },
  });

  const unenrolled = (cabinets.data ?? []).filter((c) => c.status !== "archived" && !c.enrolled);
  const lost = counts.data?.keys.lost ?? 0;
  const pastEndCount = counts.data?.peopleActivePastEndDate ?? 0;
  const attentionLoaded =
    counts.isSuccess && (!readsCabinets || cabinets.isSuccess) && (!readsPeople || pastEnd.isSuccess);
  const nothingWrong = attentionLoaded && lost === 0 && unenrolled.length === 0 && pastEndCount === 0;

  return (
    <Page
      title={`Hello, ${session.me.person.firstName}`}
      description={`${session.property ? session.property.name : "All properties"} · ${formatInstant(new Date().toISOString(), session.zoneOf(propertyId))}`}
    >
      {readsKeys && (
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm">
          {keysOf(KEY_STATUS_LABELS).map((status) => (
            <StatCard key={status} status={status} count={counts.data?.keys[status]} />
          ))}
        </SimpleGrid>
      )}
      {counts.isError && <Alert color="red">{counts.error.message}</Alert>}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title="Needs attention">
            {!attentionLoaded ? (
              <Stack gap="xs">
                <Skeleton h={18} />
                <Skeleton h={18} w="70%" />
              </Stack>
            ) : nothingWrong ? (
              <Alert color="green" title="Nothing needs attention">
                No lost keys, every cabinet is enrolled, and nobody past their end date is still active.
              </Alert>
            ) : (
              <Stack gap="md">
                {lost > 0 && (
                  <div>
                    <Group gap="xs">
                      <Badge color="red" variant="light">
                        {lost}
                      </Badge>
                      <AppLink to="/keys?status=lost" fw={600}>
                        Lost keys
                      </AppLink>
                    </Group>
                    <Text size="sm" c="dimmed">
                      Rekey or retire them, or mark them found.
                    </Text>
                  </div>
                )}
                {unenrolled.length > 0 && (
                  <div>
                    <Group gap="xs">
                      <Badge color="yellow" variant="light">
                        {unenrolled.length}
                      </Badge>
                      <Text fw={600}>Cabinets not yet enrolled</Text>
                    </Group>
                    <List size="sm" mt={4} spacing={2}>
                      {unenrolled.map((c) => (
                        <List.Item key={c.id}>
                          <AppLink to={`/cabinets/${c.id}`}>{c.name}</AppLink> — {session.propertyName(c.propertyId)},{" "}
                          {CABINET_STATUS_LABELS[c.status].toLowerCase()}
                        </List.Item>
                      ))}
                    </List>
                  </div>
                )}
                {pastEndCount > 0 && (
                  <div>
                    <Group gap="xs">
                      <Badge color="red" variant="light">
                        {pastEndCount}
                      </Badge>
                      <Text fw={600}>Still active after their end date</Text>
                    </Group>
                    <List size="sm" mt={4} spacing={2}>
                      {pastEnd.data?.map((p) => (
                        <List.Item key={p.id}>
                          <AppLink to={`/people/${p.id}`}>
                            {p.firstName} {p.lastName}
                          </AppLink>{" "}
                          — ended {formatLocalDate(p.endDate)}
                        </List.Item>
                      ))}
                    </List>
                  </div>
                )}
              </Stack>
            )}
          </Section>
        </Grid.Col>
        {readsKeys && (
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Section title="Keys out now">
              {out.data && out.data.items.length === 0 ? (
                <Text size="sm" c="dimmed">
                  Every key is in its cabinet or accounted for.
                </Text>
              ) : (
                <Stack gap={6}>
                  {out.data?.items.map((k) => (
                    <Group key={k.id} justify="space-between" wrap="nowrap">
                      <AppLink to={`/keys/${k.id}`}>{k.label}</AppLink>
                      <Text size="xs" c="dimmed">
                        since {formatInstant(k.updatedAt, session.zoneOf(k.propertyId))}
                      </Text>
                    </Group>
                  ))}
                  {out.data?.nextCursor && (
                    <Anchor component={Link} to="/keys?status=out" size="sm">
                      All keys out
                    </Anchor>
                  )}
                </Stack>
              )}
            </Section>
          </Grid.Col>
        )}
      </Grid>
    </Page>
  );
}
