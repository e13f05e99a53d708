/** Holiday calendars: dates on which access profiles that use them grant no ordinary access. */
import { ActionIcon, Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { api } from "../api.ts";
import { ArchiveSelect, Editable, FormAlert, FormButtons, useApiForm } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { PropertyField, useCanCreate, useDefaultProperty } from "../components/property-field.tsx";
import { RecordModal } from "../components/record-modal.tsx";
import { type Column, ResourceTable } from "../components/resource-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
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
        <TextInput
          label="Name"
          required
          value={v.name}
          onChange={(e) => form.set("name", e.currentTarget.value)}
          error={form.errorFor("name")}
        />
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
  const [editing, setEditing] = useState<HolidayCalendar | "new" | null>(null);
  const columns: Column<HolidayCalendar>[] = [
    {
      key: "name",
      header: "Name",
      sort: "name",
      value: (c) => c.name,
      render: (c) => (
        <Button variant="subtle" size="compact-sm" onClick={() => setEditing(c)}>
          {c.name}
        </Button>
      ),
    },
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
    { key: "status", header: "Status", value: (c) => c.status, render: (c) => <StatusBadge status={c.status} /> },
  ];
  const current = editing === "new" ? null : editing;
  return (
    <Page
      title="Holiday calendars"
      description="Access profiles that use a calendar grant no ordinary access on its dates."
      actions={canCreate && <Button onClick={() => setEditing("new")}>New calendar</Button>}
    >
      <ResourceTable<HolidayCalendar>
        key={session.propertyId ?? "all"}
        path="holiday-calendars"
        label="Holiday calendars"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        search="Name"
      />
      <RecordModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={current ? current.name : "New holiday calendar"}
        history={current ? { entityType: "holidayCalendar", entityId: current.id } : null}
      >
        <Editable allowed={current ? session.can("update", "holidayCalendar", current.propertyId) : true}>
          <CalendarForm key={current?.id ?? "new"} calendar={current} onDone={() => setEditing(null)} />
        </Editable>
      </RecordModal>
    </Page>
  );
}
