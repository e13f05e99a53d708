/**
 * Reports sent by e-mail on a schedule: the list (pause, resume, send now), a form to create or change one, and each
 * schedule's deliveries with failures in red and "retry now".
 */
import type { ReportDelivery, ReportSchedule } from "@keyward/contracts/report-schedules";
import { PERMISSIONS, ROLES, type Role } from "@keyward/domain/permissions";
import {
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api.ts";
import { FormAlert, FormButtons, numberOrNull, TextField, useApiForm } from "../components/form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { PropertyField, useDefaultProperty } from "../components/property-field.tsx";
import { RecordModal } from "../components/record-modal.tsx";
import { formatInstant, timeZones } from "../format.ts";
import { ROLE_LABELS } from "../labels.ts";
import { type ReportCatalogItem, useInvalidate, useOptionsList, useReportCatalog } from "../queries.ts";
import { useSession } from "../session.tsx";

const PATH = "report-schedules";
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
/** Roles a report may be sent to: those that may read reports (the server refuses the others). */
const RECIPIENT_ROLES: Role[] = ROLES.filter((r) => PERMISSIONS[r].report.includes("read"));
const FILTER_SOURCES: Record<string, { path: string; label: string; name: (r: Record<string, unknown>) => string }> = {
  buildingId: { path: "buildings", label: "Building", name: (r) => String(r.name) },
  unitId: { path: "units", label: "Unit", name: (r) => String(r.number) },
  personId: { path: "people", label: "Person", name: (r) => `${String(r.firstName)} ${String(r.lastName)}` },
  reasonCodeId: { path: "reason-codes", label: "Reason", name: (r) => String(r.label) },
};

/** "Daily at 07:00", "Mondays at 08:00", "Monthly on day 31 at 06:00". */
export function describeWhen(s: Pick<ReportSchedule, "frequency" | "weekday" | "monthDay" | "localTime">): string {
  if (s.frequency === "weekly") {
    return `${WEEKDAYS[(s.weekday ?? 1) - 1]}s at ${s.localTime}`;
  }
  if (s.frequency === "monthly") {
    return `Monthly on day ${s.monthDay ?? 1} at ${s.localTime}`;
  }
  return `Daily at ${s.localTime}`;
}

function describeRecipients(s: ReportSchedule): string {
  const parts = [
    ...s.recipients.roles.map((r) => `${ROLE_LABELS[r]}s`),
    ...(s.recipients.userIds.length > 0 ? [`${s.recipients.userIds.length} chosen user(s)`] : []),
    ...s.recipients.emails,
  ];
  return parts.join(", ");
}

function FilterSelect({
  filter,
  propertyId,
  value,
  onChange,
}: {
  filter: string;
  propertyId: string | null;
  value: string | null;
  onChange: (value: string | null) => void;
}) {
  const source = FILTER_SOURCES[filter];
  const options = useOptionsList<Record<string, unknown>>(
    source?.path ?? "buildings",
    source?.path === "people" || source?.path === "reason-codes" ? {} : { propertyId },
    source !== undefined,
  );
  if (!source) {
    return null;
  }
  return (
    <Select
      label={source.label}
      placeholder="Any"
      clearable
      searchable
      data={(options.data ?? []).map((r) => ({ value: String(r.id), label: source.name(r) }))}
      value={value}
      onChange={onChange}
    />
  );
}

interface FormValues {
  name: string;
  report: string;
  propertyId: string | null;
  timeZone: string;
  frequency: "daily" | "weekly" | "monthly";
  weekday: string;
  monthDay: number | string;
  localTime: string;
  roles: string[];
  userIds: string[];
  emails: string[];
  formats: string[];
  filters: Record<string, string | null>;
  days: number | string;
  sort: string | null;
}

function ScheduleForm({ schedule, onDone }: { schedule: ReportSchedule | null; onDone: () => void }) {
  const session = useSession();
  const invalidate = useInvalidate();
  const catalog = useReportCatalog();
  const users = useOptionsList<{ id: string; email: string; status: string }>("users", {});
  const defaultProperty = useDefaultProperty("reportSchedule");
  const { sort, days, ...idFilters } = schedule?.filters ?? {};
  const form = useApiForm({
    initial: {
      name: schedule?.name ?? "",
      report: schedule?.report ?? "keys-out",
      propertyId: schedule ? schedule.propertyId : defaultProperty,
      timeZone: schedule?.timeZone ?? "UTC",
      frequency: schedule?.frequency ?? "daily",
      weekday: String(schedule?.weekday ?? 1),
      monthDay: schedule?.monthDay ?? 1,
      localTime: schedule?.localTime ?? "07:00",
      roles: schedule?.recipients.roles ?? ["property_manager"],
      userIds: schedule?.recipients.userIds ?? [],
      emails: schedule?.recipients.emails ?? [],
      formats: schedule?.formats ?? ["pdf", "csv"],
      filters: idFilters as Record<string, string | null>,
      days: days ?? "",
      sort: sort ?? null,
    } satisfies FormValues as FormValues,
    submit: (v) => {
      const item = catalog.data?.find((c) => c.name === v.report);
      const filters = Object.fromEntries(
        Object.entries(v.filters).filter(([k, id]) => id && item?.filters.includes(k)),
      ) as Record<string, string | number>;
      const dayCount = numberOrNull(v.days);
      if (dayCount !== null && item?.filters.includes("days")) {
        filters.days = dayCount;
      }
      if (v.sort) {
        filters.sort = v.sort;
      }
      const body = {
        name: v.name,
        report: v.report,
        filters,
        frequency: v.frequency,
        weekday: v.frequency === "weekly" ? Number(v.weekday) : null,
        monthDay: v.frequency === "monthly" ? numberOrNull(v.monthDay) : null,
        localTime: v.localTime,
        recipients: { roles: v.roles, userIds: v.userIds, emails: v.emails },
        formats: v.formats,
      };
      if (schedule) {
        return api.patch<ReportSchedule>(`${PATH}/${schedule.id}`, {
          ...body,
          ...(schedule.propertyId === null ? { timeZone: v.timeZone } : {}),
        });
      }
      return api.post<ReportSchedule>(PATH, {
        ...body,
        propertyId: v.propertyId,
        ...(v.propertyId === null ? { timeZone: v.timeZone } : {}),
      });
    },
    onSuccess: async () => {
      await invalidate(PATH);
      onDone();
    },
  });
  const v = form.values;
  const item: ReportCatalogItem | undefined = catalog.data?.find((c) => c.name === v.report);
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextField form={form} field="name" label="Name" description="The e-mail's subject starts with it" required />
          <Select
            label="Report"
            data={(catalog.data ?? []).map((c) => ({ value: c.name, label: c.title }))}
            value={v.report}
            onChange={(r) => r && form.set("report", r)}
            allowDeselect={false}
            error={form.errorFor("report")}
          />
          {schedule ? (
            <TextInput label="Property" value={schedule.propertyName ?? "Organization-wide"} disabled />
          ) : (
            <PropertyField
              entity="reportSchedule"
              allowOrganization
              value={v.propertyId}
              onChange={(p) => form.set("propertyId", p)}
              error={form.errorFor("propertyId")}
            />
          )}
          {(schedule ? schedule.propertyId === null : v.propertyId === null) ? (
            <Select
              label="Time zone"
              searchable
              data={timeZones()}
              value={v.timeZone}
              onChange={(z) => z && form.set("timeZone", z)}
              error={form.errorFor("timeZone")}
            />
          ) : (
            <TextInput
              label="Time zone"
              value={schedule?.timeZone ?? session.zoneOf(v.propertyId)}
              description="A property's schedule follows the property's time zone"
              disabled
            />
          )}
          <Select
            label="Frequency"
            data={[
              { value: "daily", label: "Daily" },
              { value: "weekly", label: "Weekly" },
              { value: "monthly", label: "Monthly" },
            ]}
            value={v.frequency}
            onChange={(f) => f && form.set("frequency", f as FormValues["frequency"])}
            allowDeselect={false}
            error={form.errorFor("frequency")}
          />
          {v.frequency === "weekly" && (
            <Select
              label="Weekday"
              data={WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d }))}
              value={v.weekday}
              onChange={(d) => d && form.set("weekday", d)}
              allowDeselect={false}
              error={form.errorFor("weekday")}
            />
          )}
          {v.frequency === "monthly" && (
            <NumberInput
              label="Day of the month"
              description="The month's last day when it is shorter"
              min={1}
              max={31}
              value={v.monthDay}
              onChange={(n) => form.set("monthDay", n)}
              error={form.errorFor("monthDay")}
            />
          )}
          <TextInput
            type="time"
            label="Local time"
            value={v.localTime}
            onChange={(e) => form.set("localTime", e.currentTarget.value)}
            error={form.errorFor("localTime")}
            required
          />
        </SimpleGrid>
        {item && (
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            {item.filters
              .filter((f) => f in FILTER_SOURCES)
              .map((f) => (
                <FilterSelect
                  key={f}
                  filter={f}
                  propertyId={schedule?.propertyId ?? v.propertyId}
                  value={v.filters[f] ?? null}
                  onChange={(id) => form.set("filters", { ...v.filters, [f]: id })}
                />
              ))}
            {item.filters.includes("days") && (
              <NumberInput
                label="Days"
                min={1}
                max={3650}
                value={v.days}
                onChange={(n) => form.set("days", n)}
                error={form.errorFor("filters.days")}
              />
            )}
            <Select
              label="Sort by"
              placeholder="The report's usual order"
              clearable
              data={item.columns.flatMap((c) => [
                { value: c.key, label: `${c.label} (ascending)` },
                { value: `-${c.key}`, label: `${c.label} (descending)` },
              ])}
              value={v.sort}
              onChange={(s) => form.set("sort", s)}
              error={form.errorFor("filters.sort")}
            />
          </SimpleGrid>
        )}
        <MultiSelect
          label="Send to everyone holding these roles"
          description="At the property (through the property, its region or the whole organization)"
          data={RECIPIENT_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          value={v.roles}
          onChange={(r) => form.set("roles", r)}
          error={form.errorFor("recipients.roles") ?? form.errorFor("recipients")}
        />
        <MultiSelect
          label="And these users"
          searchable
          data={(users.data ?? []).filter((u) => u.status === "active").map((u) => ({ value: u.id, label: u.email }))}
          value={v.userIds}
          onChange={(u) => form.set("userIds", u)}
          error={form.errorFor("recipients.userIds")}
        />
        <TagsInput
          label="And these addresses"
          placeholder="name@example.com, Enter"
          value={v.emails}
          onChange={(e) => form.set("emails", e)}
          error={form.errorFor("recipients.emails")}
        />
        <MultiSelect
          label="Attach"
          data={[
            { value: "pdf", label: "PDF" },
            { value: "csv", label: "CSV" },
          ]}
          value={v.formats}
          onChange={(f) => form.set("formats", f)}
          error={form.errorFor("formats")}
        />
        <FormAlert form={form} />
        <FormButtons form={form} label={schedule ? "Save schedule" : "Create schedule"} onCancel={onDone} />
      </Stack>
    </form>
  );
}

function DeliveryStatus({ delivery }: { delivery: ReportDelivery }) {
  const color =
    delivery.status === "sent"
      ? "green"
      : delivery.status === "failed"
        ? "red"
        : delivery.lastError
          ? "orange"
          : "gray";
  const label = delivery.status === "pending" && delivery.lastError ? "retrying" : delivery.status;
  return (
    <Badge color={color} variant="light">
      {label}
    </Badge>
  );
}

function Deliveries({ schedule, mayChange }: { schedule: ReportSchedule; mayChange: boolean }) {
  const invalidate = useInvalidate();
  const deliveries = useQuery({
    queryKey: [PATH, "deliveries", schedule.id],
    queryFn: async () => (await api.get<{ items: ReportDelivery[] }>(`${PATH}/${schedule.id}/deliveries`)).items,
    refetchInterval: 15_000,
  });
  const retry = useMutation({
    mutationFn: (id: string) => api.post<ReportDelivery>(`${PATH}/${schedule.id}/deliveries/${id}/retry`),
    onSettled: () => invalidate(PATH),
  });
  const zone = schedule.timeZone;
  if (!deliveries.data) {
    return <QueryState error={deliveries.error} pending={deliveries.isPending} />;
  }
  if (deliveries.data.length === 0) {
    return <Text c="dimmed">Nothing sent yet. The next run is {formatInstant(schedule.nextRunAt, zone)}.</Text>;
  }
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run ({zone})</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Sent</Table.Th>
            <Table.Th>Recipients or last error</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.data.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{formatInstant(d.dueAt, zone)}</Table.Td>
              <Table.Td>
                <DeliveryStatus delivery={d} />
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>{d.sentAt ? formatInstant(d.sentAt, zone) : ""}</Table.Td>
              <Table.Td>
                {d.status === "sent" ? (
                  (d.recipients ?? []).join(", ")
                ) : d.lastError ? (
                  <Text c="red" size="sm">
                    {d.lastError}
                    {d.nextAttemptAt ? ` — next attempt ${formatInstant(d.nextAttemptAt, zone)}` : ""}
                  </Text>
                ) : (
                  ""
                )}
                {d.skipped.length > 0 && (
                  <Text c="dimmed" size="sm">
                    Skipped (may not read reports here): {d.skipped.join(", ")}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {mayChange && (d.status === "failed" || (d.status === "pending" && d.lastError)) && (
                  <Button size="xs" variant="light" loading={retry.isPending} onClick={() => retry.mutate(d.id)}>
                    Retry now
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {retry.error && (
        <Text c="red" size="sm" role="alert">
          {retry.error.message}
        </Text>
      )}
    </Table.ScrollContainer>
  );
}

export function ReportSchedulesPage() {
  const session = useSession();
  const invalidate = useInvalidate();
  const [editing, setEditing] = useState<ReportSchedule | "new" | null>(null);
  const [watching, setWatching] = useState<ReportSchedule | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const catalog = useReportCatalog();
  const titleOf = (report: string) => catalog.data?.find((c) => c.name === report)?.title ?? report;
  const schedules = useQuery({
    queryKey: [PATH, "list", session.propertyId],
    queryFn: async () =>
      (await api.get<{ items: ReportSchedule[] }>(PATH, { propertyId: session.propertyId ?? undefined })).items,
  });
  const change = useMutation({
    mutationFn: (args: { schedule: ReportSchedule; status: "active" | "paused" }) =>
      api.patch<ReportSchedule>(`${PATH}/${args.schedule.id}`, { status: args.status }),
    onSettled: () => invalidate(PATH),
  });
  const sendNow = useMutation({
    mutationFn: (schedule: ReportSchedule) => api.post<ReportDelivery>(`${PATH}/${schedule.id}/send-now`),
    onSuccess: (_d, schedule) => setNotice(`"${schedule.name}" will go out within a minute.`),
    onSettled: () => invalidate(PATH),
  });
  const mayChange = (s: ReportSchedule) =>
    s.propertyId === null
      ? session.can("update", "reportSchedule", null) && session.canChooseAll
      : session.can("update", "reportSchedule", s.propertyId);
  const mayCreate = session.propertiesWhere("create", "reportSchedule").length > 0;
  const problem = change.error ?? sendNow.error;
  // why: with a property chosen every row is that property's; the column would only crowd the actions off screen
  const showProperty = session.propertyId === null;
  return (
    <Page
      title="Report schedules"
      description="Reports sent by e-mail with the PDF and/or CSV attached, at a local time in the property's time zone."
      actions={mayCreate && <Button onClick={() => setEditing("new")}>New schedule</Button>}
    >
      {notice && (
        <Text c="green" role="status">
          {notice}
        </Text>
      )}
      {problem && (
        <Text c="red" role="alert">
          {problem.message}
        </Text>
      )}
      {!schedules.data ? (
        <QueryState error={schedules.error} pending={schedules.isPending} />
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover aria-label="Report schedules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Report</Table.Th>
                {showProperty && <Table.Th>Property</Table.Th>}
                <Table.Th>When</Table.Th>
                <Table.Th>Recipients</Table.Th>
                <Table.Th>Next run</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {schedules.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Button variant="subtle" size="compact-sm" onClick={() => setEditing(s)}>
                      {s.name}
                    </Button>
                  </Table.Td>
                  <Table.Td>{titleOf(s.report)}</Table.Td>
                  {showProperty && <Table.Td>{s.propertyName ?? "Organization-wide"}</Table.Td>}
                  <Table.Td>
                    {describeWhen(s)} ({s.timeZone})
                  </Table.Td>
                  <Table.Td>{describeRecipients(s)}</Table.Td>
                  <Table.Td>{s.status === "active" ? formatInstant(s.nextRunAt, s.timeZone) : ""}</Table.Td>
                  <Table.Td>
                    <Badge color={s.status === "active" ? "green" : "gray"} variant="light">
                      {s.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="xs" variant="default" onClick={() => setWatching(s)}>
                        Deliveries
                      </Button>
                      {mayChange(s) && (
                        <>
                          <Button size="xs" variant="default" onClick={() => sendNow.mutate(s)}>
                            Send now
                          </Button>
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() =>
                              change.mutate({ schedule: s, status: s.status === "active" ? "paused" : "active" })
                            }
                          >
                            {s.status === "active" ? "Pause" : "Resume"}
                          </Button>
                        </>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <RecordModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? "New report schedule" : (editing?.name ?? "")}
        history={editing && editing !== "new" ? { entityType: "reportSchedule", entityId: editing.id } : null}
      >
        {editing !== null && (
          <ScheduleForm schedule={editing === "new" ? null : editing} onDone={() => setEditing(null)} />
        )}
      </RecordModal>
      <Modal
        opened={watching !== null}
        onClose={() => setWatching(null)}
        title={watching ? `Deliveries of “${watching.name}”` : ""}
        size="xl"
      >
        {watching && <Deliveries schedule={watching} mayChange={mayChange(watching)} />}
      </Modal>
    </Page>
  );
}
