/**
 * The first screen, a property overview: "is anything wrong right now?" and "who has keys out": keys out and overdue
 * (one click from the keys-out board), offline cabinets and open alarms, lost keys, cabinets not yet enrolled, people
 * past their end date who are still active, an audit trail that failed verification or whose offsite copy keeps
 * failing, and the keys out longest. Live: the stream refetches it. For users who may read reports, today's alarms
 * and exceptions and the week's activity, from the reports API, and a link to every report.
 */

import { addDays } from "@keyward/domain/zoned-time";
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
import { alarmLabel } from "../components/cabinet-state-view.tsx";
import { Section } from "../components/detail-layout.tsx";
import { Page } from "../components/page.tsx";
import { ReportChartView } from "../components/report-chart.tsx";
import { cabinetTrouble, holderName, isOverdue, useCabinetStates, useNow, useOpenCheckouts } from "../custody.ts";
import { formatAgo, formatInstant, formatLocalDate, todayIn } from "../format.ts";
import { CABINET_STATUS_LABELS, KEY_STATUS_COLORS, KEY_STATUS_LABELS, keysOf } from "../labels.ts";
import { useReport, useReportCatalog } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Cabinet, CabinetState, KeyStatus, Overview, Person } from "../types.ts";
import { AuditTrailWarning, useAuditWarning } from "./audit-trail-warning.tsx";

/** How many names the "still active after their end date" list shows; the count above it is exact. */
const PAST_END_SHOWN = 20;
/** How many of the keys out longest the home screen lists; the board has them all. */
const OUT_SHOWN = 8;

/** A red count and a list of cabinets, each linked, with what is wrong with it; nothing when the list is empty. */
function CabinetsNeedingCare({
  title,
  cabinets,
  detail,
}: {
  title: string;
  cabinets: CabinetState[];
  detail: (s: CabinetState) => string;
}) {
  if (cabinets.length === 0) {
    return null;
  }
  return (
    <div>
      <Group gap="xs">
        <Badge color="red.9" variant="filled">
          {cabinets.length}
        </Badge>
        <Text fw={600}>{title}</Text>
      </Group>
      <List size="sm" mt={4} spacing={2}>
        {cabinets.map((s) => (
          <List.Item key={s.cabinetId}>
            <AppLink to={`/cabinets/${s.cabinetId}`}>{s.name}</AppLink> — {detail(s)}
          </List.Item>
        ))}
      </List>
    </div>
  );
}

/** A live count; undefined while loading, null when it could not be loaded. */
function LiveCard({
  label,
  count,
  to,
  alert,
}: {
  label: string;
  count: number | null | undefined;
  to: string;
  alert: boolean;
}) {
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component={Link}
      to={to}
      style={{ textDecoration: "none", borderColor: alert ? "var(--mantine-color-red-9)" : undefined }}
      bg={alert ? "red.0" : undefined}
      aria-label={`${label}: ${count === null ? "unknown" : (count ?? "loading")}`}
    >
      <Text size="sm" c={alert ? "red.9" : "gray.7"} fw={700}>
        {label}
      </Text>
      {count === null ? (
        <Text fz={30} fw={700} c="gray.7" lh={1.3} mt={4}>
          —
        </Text>
      ) : count === undefined ? (
        <Skeleton h={34} mt={6} w={80} />
      ) : (
        <Text fz={30} fw={700} c={alert ? "red.9" : "dark"} lh={1.3} mt={4}>
          {count.toLocaleString("en-US")}
        </Text>
      )}
    </Paper>
  );
}

/** The exceptions report's totals that are alarms at a cabinet: what "Alarms today" adds up. */
const ALARM_TOTALS = ["heldOpen", "forced", "wrongHook", "removed"] as const;
/** The week of activity the home page draws: today and the six days before. */
const WEEK_DAYS = 7;

/** An in-app link to a report with its filters in the URL, as the report page keeps them. */
function reportLink(name: string, query: Record<string, string | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value) {
      params.set(key, value);
    }
  }
  const qs = params.toString();
  return `/reports/${name}${qs ? `?${qs}` : ""}`;
}

/**
 * Today's exceptions and the week's activity from the reports API. Only totals and charts are shown, so each answer
 * carries one row (its totals still count them all); the two parts of the page share the cached answers.
 */
function useOverviewReports(propertyId: string | null, zone: string) {
  const today = todayIn(zone);
  const todayQuery = { propertyId, from: today, to: today };
  const weekQuery = { propertyId, from: addDays(today, -(WEEK_DAYS - 1)), to: today };
  const exceptions = useReport("exceptions", { ...todayQuery, limit: 1 });
  const activity = useReport("by-activity", { ...weekQuery, limit: 1 });
  return { todayQuery, weekQuery, exceptions, activity };
}

/** Alarms and exceptions today, keys taken this week: each a figure linked to its report. */
function ReportCards({ propertyId, zone }: { propertyId: string | null; zone: string }) {
  const { todayQuery, weekQuery, exceptions, activity } = useOverviewReports(propertyId, zone);
  const totalOf = (key: string) => exceptions.data?.totals.find((t) => t.key === key)?.value ?? 0;
  const alarms = exceptions.data ? ALARM_TOTALS.reduce((sum, key) => sum + totalOf(key), 0) : undefined;
  const taken = activity.data?.totals.find((t) => t.key === "checkouts")?.value;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm" aria-label="Today and this week">
      <LiveCard
        label="Alarms today"
        count={exceptions.isError ? null : alarms}
        to={reportLink("exceptions", todayQuery)}
        alert={(alarms ?? 0) > 0}
      />
      <LiveCard
        label="Exceptions today"
        count={exceptions.isError ? null : exceptions.data?.rowCount}
        to={reportLink("exceptions", todayQuery)}
        alert={false}
      />
      <LiveCard
        label="Keys taken this week"
        count={activity.isError ? null : activity.data ? (taken ?? 0) : undefined}
        to={reportLink("by-activity", weekQuery)}
        alert={false}
      />
    </SimpleGrid>
  );
}

/** The week's activity as a small chart, and a link to every report. */
function ReportPanels({ propertyId, zone }: { propertyId: string | null; zone: string }) {
  const { activity } = useOverviewReports(propertyId, zone);
  const catalog = useReportCatalog();
  const week = activity.data?.charts.find((c) => c.key === "overTime");
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Section title="Activity this week">
          {activity.isError ? (
            <Text size="sm" c="red.9">
              Could not load the week's activity: {activity.error.message}
            </Text>
          ) : !week ? (
            <Skeleton h={140} />
          ) : (
            <ReportChartView compact chart={{ ...week, kind: "bar", title: "Keys taken each day" }} />
          )}
        </Section>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Section title="Reports">
          {catalog.isError ? (
            <Text size="sm" c="red.9">
              Could not load the reports: {catalog.error.message}
            </Text>
          ) : (
            <List size="sm" spacing={4} aria-label="Reports">
              {(catalog.data ?? []).map((item) => (
                <List.Item key={item.name}>
                  <AppLink to={reportLink(item.name, { propertyId })} fw={600}>
                    {item.title}
                  </AppLink>
                </List.Item>
              ))}
            </List>
          )}
        </Section>
      </Grid.Col>
    </Grid>
  );
}

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
  const now = useNow();
  const readsCheckouts = session.propertiesWhere("read", "checkout").length > 0;
  const readsReports = session.can("read", "report", null) || session.propertiesWhere("read", "report").length > 0;
  // why: a report over several properties reads its days in their one shared zone, else in UTC (as the server does)
  const zones = new Set(session.properties.map((p) => p.timeZone));
  const reportZone = propertyId ? session.zoneOf(propertyId) : zones.size === 1 ? ([...zones][0] ?? "UTC") : "UTC";
  const open = useOpenCheckouts(propertyId, readsCheckouts);
  const states = useCabinetStates(propertyId, readsCabinets);
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

  const audit = useAuditWarning();

  const unenrolled = (cabinets.data ?? []).filter((c) => c.status !== "archived" && !c.enrolled);
  const lost = counts.data?.keys.lost ?? 0;
  const pastEndCount = counts.data?.peopleActivePastEndDate ?? 0;
  const openItems = open.data?.items ?? [];
  const overdue = openItems.filter((c) => isOverdue(c, now));
  const offline = (states.data ?? []).filter((s) => cabinetTrouble(s).offline);
  const alarmed = (states.data ?? []).filter((s) => cabinetTrouble(s).alarms);
  const liveError = open.error ?? states.error;
  const attentionLoaded =
    counts.isSuccess &&
    (!readsCabinets || (cabinets.isSuccess && !states.isPending)) &&
    (!readsCheckouts || !open.isPending) &&
    (!readsPeople || pastEnd.isSuccess) &&
    !audit.pending;
  const nothingWrong =
    attentionLoaded &&
    liveError === null &&
    lost === 0 &&
    unenrolled.length === 0 &&
    pastEndCount === 0 &&
    overdue.length === 0 &&
    offline.length === 0 &&
    alarmed.length === 0 &&
    audit.troubles.length === 0;

  return (
    <Page
      title={`Hello, ${session.me.person.firstName}`}
      description={`${session.property ? session.property.name : "All properties"} · ${formatInstant(new Date().toISOString(), session.zoneOf(propertyId))}`}
    >
      {(readsCheckouts || readsCabinets) && (
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" aria-label="Right now">
          {readsCheckouts && (
            <>
              <LiveCard
                label="Keys out"
                count={open.isError ? null : open.data?.items.length}
                to="/keys-out"
                alert={false}
              />
              <LiveCard
                label="Overdue"
                count={open.isError ? null : open.data ? overdue.length : undefined}
                to="/keys-out?overdue=1"
                alert={overdue.length > 0}
              />
            </>
          )}
          {readsCabinets && (
            <>
              <LiveCard
                label="Cabinets offline"
                count={states.isError ? null : states.data ? offline.length : undefined}
                to="/cabinets"
                alert={offline.length > 0}
              />
              <LiveCard
                label="Cabinets with alarms"
                count={states.isError ? null : states.data ? alarmed.length : undefined}
                to="/cabinets"
                alert={alarmed.length > 0}
              />
            </>
          )}
        </SimpleGrid>
      )}
      {readsReports && <ReportCards propertyId={propertyId} zone={reportZone} />}
      {readsKeys && (
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm">
          {keysOf(KEY_STATUS_LABELS).map((status) => (
            <StatCard key={status} status={status} count={counts.data?.keys[status]} />
          ))}
        </SimpleGrid>
      )}
      {counts.isError && <Alert color="red">{counts.error.message}</Alert>}
      {liveError && (
        <Alert color="red" title="Live status unavailable">
          {liveError.message}
        </Alert>
      )}
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
                No key overdue or lost, every cabinet enrolled, online and free of alarms, and nobody past their end
                date still active.
              </Alert>
            ) : (
              <Stack gap="md">
                <AuditTrailWarning troubles={audit.troubles} />
                {overdue.length > 0 && (
                  <div>
                    <Group gap="xs">
                      <Badge color="red.9" variant="filled">
                        {overdue.length}
                      </Badge>
                      <AppLink to="/keys-out?overdue=1" fw={600}>
                        Overdue keys
                      </AppLink>
                    </Group>
                    <Text size="sm" c="gray.7">
                      Call the holders; the board says who has each and since when.
                    </Text>
                  </div>
                )}
                <CabinetsNeedingCare
                  title="Cabinets offline"
                  cabinets={offline}
                  detail={(s) => `last contact ${s.lastContactAt ? formatAgo(s.lastContactAt, now) : "never"}`}
                />
                <CabinetsNeedingCare
                  title="Cabinets with alarms"
                  cabinets={alarmed}
                  detail={(s) =>
                    `${s.openAlarms} open${
                      s.lastAlarm
                        ? `, last ${alarmLabel(s.lastAlarm.action).toLowerCase()} ${formatAgo(s.lastAlarm.at, now)}`
                        : ""
                    }`
                  }
                />
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
        {readsCheckouts && (
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Section title="Keys out longest">
              {open.isError ? (
                <Text size="sm" c="red.9">
                  Could not load the keys out.
                </Text>
              ) : !open.data ? (
                <Stack gap="xs">
                  <Skeleton h={18} />
                  <Skeleton h={18} w="70%" />
                </Stack>
              ) : openItems.length === 0 ? (
                <Text size="sm" c="gray.7">
                  Every key is in its cabinet or accounted for.
                </Text>
              ) : (
                <Stack gap={6}>
                  {openItems.slice(0, OUT_SHOWN).map((c) => (
                    <Group key={c.id} justify="space-between" wrap="nowrap" gap="xs">
                      <Text size="sm" truncate>
                        <AppLink to={`/keys/${c.key.id}`} fw={600}>
                          {c.key.label}
                        </AppLink>{" "}
                        · {holderName(c)}
                      </Text>
                      <Text size="xs" c={isOverdue(c, now) ? "red.9" : "gray.7"} fw={isOverdue(c, now) ? 700 : 400}>
                        {isOverdue(c, now) ? "overdue · " : ""}
                        {formatAgo(c.since, now)}
                      </Text>
                    </Group>
                  ))}
                  <Anchor component={Link} to="/keys-out" size="sm">
                    Keys-out board ({openItems.length})
                  </Anchor>
                </Stack>
              )}
            </Section>
          </Grid.Col>
        )}
      </Grid>
      {readsReports && <ReportPanels propertyId={propertyId} zone={reportZone} />}
    </Page>
  );
}
