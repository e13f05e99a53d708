/** Holiday calendars: dates on which access profiles that use them grant no ordinary access. */
import { ActionIcon, Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { api } from "../api.ts";
import { ArchiveSelect, FormAlert, FormButtons, TextField, useApiForm } from "../components/form.tsx";
import { PropertyField, useCanCreate, useDefaultProperty } from "../components/property-field.tsx";
import { RecordListPage } from "../components/record-list-page.tsx";
import { statusColumn } from "../components/resource-table.tsx";
import { formatLocalDate } from "../format.ts";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { HolidayCalendar } from "../types.ts";

type HolidayDate = HolidayCalendar["dates"][number];

function CalendarForm({ calendar, onDone }: { calendar: HolidayCalendar | null; onDone: () => void }) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("holidayCalendar");
  const form = useApiForm({
    initial: {
      propertyId: calendar ? calendar.propertyId : defaultProperty,
      name: calendar?.name ?? "",
      dates: calendar?.dates ?? ([] as HolidayDate[]),
      status: calendar?.status ?? "active",
    },
    submit: (v) => {
      const dates = [...v.dates].sort((a, b) => a.date.localeCompare(b.date));
      return calendar
        ? api.patch<HolidayCalendar>(`holiday-calendars/${calendar.id}`, { name: v.name, dates, status: v.status })
        : api.post<HolidayCalendar>("holiday-calendars", { propertyId: v.propertyId, name: v.name, dates });
    },
    onSuccess: async () => {
      await invalidate("holiday-calendars");
      onDone();
    },
  });
  const v = form.values;
  const setDate = (i: number, patch: Partial<HolidayDate>) =>
    form.set(
      "dates",
      v.dates.map((d, j) => (j === i ? { ...d, ...patch } : d)),
    );
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!calendar && (
          <PropertyField
            entity="holidayCalendar"
            allowOrganization
            value={v.propertyId}
            onChange={(id) => form.set("propertyId", id)}
            error={form.errorFor("propertyId")}
          />
        )}
        <TextField form={form} field="name" label="Name" required />
        <Text size="sm" fw={500}>
          Dates
        </Text>
        {v.dates.length === 0 && (
          <Text size="sm" c="dimmed">
            No dates yet.
          </Text>
        )}
        {v.dates.map((d, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a date row's identity is its position while editing
          <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              type="date"
              aria-label={`Date ${i + 1}`}
              value={d.date}
              onChange={(e) => setDate(i, { date: e.currentTarget.value })}
              error={form.errorFor(`dates.${i}.date`)}
              w={170}
            />
            <TextInput
              aria-label={`Name of date ${i + 1}`}
              placeholder="e.g. Thanksgiving"
              value={d.name}
              onChange={(e) => setDate(i, { name: e.currentTarget.value })}
              error={form.errorFor(`dates.${i}.name`)}
              style={{ flex: 1 }}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              mt={6}
              onClick={() =>
                form.set(
                  "dates",
                  v.dates.filter((_, j) => j !== i),
                )
              }
              aria-label={`Remove date ${i + 1}`}
            >
              ✕
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button variant="light" size="xs" onClick={() => form.set("dates", [...v.dates, { date: "", name: "" }])}>
            Add a date
          </Button>
        </Group>
        {calendar && <ArchiveSelect value={v.status} onChange={(s) => form.set("status", s)} />}
        <FormAlert form={form} />
        <FormButtons form={form} label={calendar ? "Save calendar" : "Create calendar"} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function HolidayCalendarsPage() {
  const session = useSession();
  const canCreate = useCanCreate("holidayCalendar") || session.can("create", "holidayCalendar", null);
  return (
    <RecordListPage<HolidayCalendar>
      title="Holiday calendars"
      description="Access profiles that use a calendar grant no ordinary access on its dates."
      newLabel="New calendar"
      canCreate={canCreate}
      tableKey={session.propertyId ?? "all"}
      table={{
        path: "holiday-calendars",
        label: "Holiday calendars",
        query: { propertyId: session.propertyId },
        search: "Name",
      }}
      openColumn={{ key: "name", header: "Name", sort: "name", label: (c) => c.name }}
      columns={[
        { key: "where", header: "Applies to", value: (c) => session.propertyName(c.propertyId) },
        { key: "count", header: "Dates", value: (c) => c.dates.length },
        {
          key: "next",
          header: "Dates listed",
          value: (c) =>
            c.dates
              .slice(0, 3)
              .map((d) => `${formatLocalDate(d.date)} (${d.name})`)
              .join(", ") + (c.dates.length > 3 ? ", …" : ""),
        },
        statusColumn(),
      ]}
      entity="holidayCalendar"
      modalTitle={(c) => (c ? c.name : "New holiday calendar")}
      canUpdate={(c) => session.can("update", "holidayCalendar", c.propertyId)}
      form={(c, onDone) => <CalendarForm calendar={c} onDone={onDone} />}
    />
  );
}
