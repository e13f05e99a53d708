/**
 * An access profile: which keys (scope), when (weekly windows in the property's zone, holidays, validity dates),
 * how many and for how long (limit, duration, curfew), and under which extra conditions.
 */
import { validateWindows, type Weekday } from "@keyward/domain/schedule";
import { Checkbox, Divider, Group, Select, SimpleGrid, Stack, Textarea, Title } from "@mantine/core";
import { api } from "../api.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { AccessProfile, HolidayCalendar, KeyScope, WeeklyWindow } from "../types.ts";
import {
  ArchiveSelect,
  blankToNull,
  FormAlert,
  FormButtons,
  NumberField,
  numberOrNull,
  TextField,
  useApiForm,
} from "./form.tsx";
import { KeyScopeEditor } from "./key-scope-editor.tsx";
import { PropertyField, useDefaultProperty } from "./property-field.tsx";
import { WindowsEditor } from "./windows-editor.tsx";

type Conditions = AccessProfile["conditions"];

const CONDITION_LABELS: Record<keyof Conditions, string> = {
  witness: "A witness must identify too (dual custody)",
  managerApproval: "A manager approves each checkout remotely",
  keyPairing: "Keys are taken in pairs",
};

const EMPTY_SCOPE: KeyScope = {
  allKeys: false,
  buildingIds: [],
  unitIds: [],
  keySetIds: [],
  keyKinds: [],
  includeRestricted: false,
};

const isWeekday = (d: number): d is Weekday => Number.isInteger(d) && d >= 1 && d <= 7;

function Heading({ children }: { children: string }) {
  return (
    <>
      <Divider mt="xs" />
      <Title order={3} fz="md">
        {children}
      </Title>
    </>
  );
}

export function AccessProfileForm({
  profile,
  onSaved,
}: {
  profile: AccessProfile | null;
  onSaved: (profile: AccessProfile) => void;
}) {
  const session = useSession();
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("accessProfile");
  const form = useApiForm({
    initial: {
      propertyId: profile?.propertyId ?? defaultProperty,
      name: profile?.name ?? "",
      description: profile?.description ?? "",
      keyScope: profile?.keyScope ?? EMPTY_SCOPE,
      windows: profile?.windows ?? ([{ days: [1, 2, 3, 4, 5], start: "08:00", end: "17:00" }] as WeeklyWindow[]),
      holidayCalendarId: profile?.holidayCalendarId ?? null,
      validFrom: profile?.validFrom ?? "",
      validUntil: profile?.validUntil ?? "",
      maxKeysOut: (profile?.maxKeysOut ?? "") as number | string,
      maxDurationMinutes: (profile?.maxDurationMinutes ?? "") as number | string,
      curfewTime: profile?.curfewTime ?? "",
      conditions: profile?.conditions ?? { witness: false, managerApproval: false, keyPairing: false },
      status: profile?.status ?? "active",
    },
    // why: the same window rules the server and the cabinets apply, so a mistake shows before saving
    check: (v) =>
      Object.fromEntries(
        validateWindows(v.windows.map((w) => ({ ...w, days: w.days.filter(isWeekday) }))).map((problem) => {
          const [field = "windows", ...rest] = problem.split(": ");
          return [field, rest.join(": ")];
        }),
      ),
    submit: (v) => {
      const body = {
        name: v.name,
        description: blankToNull(v.description),
        keyScope: v.keyScope,
        windows: v.windows,
        holidayCalendarId: v.holidayCalendarId,
        validFrom: blankToNull(v.validFrom),
        validUntil: blankToNull(v.validUntil),
        maxKeysOut: numberOrNull(v.maxKeysOut),
        maxDurationMinutes: numberOrNull(v.maxDurationMinutes),
        curfewTime: blankToNull(v.curfewTime),
        conditions: v.conditions,
      };
      return profile
        ? api.patch<AccessProfile>(`access-profiles/${profile.id}`, { ...body, status: v.status })
        : api.post<AccessProfile>("access-profiles", { ...body, propertyId: v.propertyId });
    },
    onSuccess: async (saved) => {
      await invalidate("access-profiles");
      onSaved(saved);
    },
  });
  const v = form.values;
  const calendars = useOptionsList<HolidayCalendar>("holiday-calendars", { status: "active" });
  const calendarChoices = (calendars.data ?? [])
    .filter((c) => c.propertyId === null || c.propertyId === v.propertyId)
    .map((c) => ({ value: c.id, label: c.propertyId ? c.name : `${c.name} (organization-wide)` }));

  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!profile && (
          <PropertyField
            entity="accessProfile"
            value={v.propertyId}
            onChange={(id) => form.replace({ ...v, propertyId: id, keyScope: EMPTY_SCOPE, holidayCalendarId: null })}
            error={form.errorFor("propertyId")}
          />
        )}
        <TextField form={form} field="name" label="Name" required />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={v.description}
          onChange={(e) => form.set("description", e.currentTarget.value)}
          error={form.errorFor("description")}
        />
        <Heading>Keys</Heading>
        <KeyScopeEditor
          propertyId={v.propertyId}
          scope={v.keyScope}
          onChange={(s) => form.set("keyScope", s)}
          errorFor={form.errorFor}
        />
        <Heading>When</Heading>
        <WindowsEditor
          windows={v.windows}
          onChange={(w) => form.set("windows", w)}
          errorFor={form.errorFor}
          zone={session.zoneOf(v.propertyId)}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select
            label="Holiday calendar"
            description="No access on its dates"
            placeholder="None"
            data={calendarChoices}
            value={v.holidayCalendarId}
            onChange={(id) => form.set("holidayCalendarId", id)}
            clearable
            error={form.errorFor("holidayCalendarId")}
          />
          <TextField form={form} field="validFrom" type="date" label="Valid from" />
          <TextField form={form} field="validUntil" type="date" label="Valid until" />
        </SimpleGrid>
        <Heading>Limits</Heading>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NumberField
            form={form}
            field="maxKeysOut"
            label="Most keys out at once"
            placeholder="No limit"
            min={1}
            max={100}
          />
          <NumberField
            form={form}
            field="maxDurationMinutes"
            label="Longest checkout (minutes)"
            placeholder="No limit"
            min={5}
            max={43200}
          />
          <TextField
            form={form}
            field="curfewTime"
            label="Curfew (local time)"
            description="Keys are due back by then"
            placeholder="HH:MM"
          />
        </SimpleGrid>
        <Heading>Conditions</Heading>
        <Group gap="lg">
          {(Object.keys(CONDITION_LABELS) as (keyof Conditions)[]).map((c) => (
            <Checkbox
              key={c}
              label={CONDITION_LABELS[c]}
              checked={v.conditions[c]}
              onChange={(e) => form.set("conditions", { ...v.conditions, [c]: e.currentTarget.checked })}
            />
          ))}
        </Group>
        {profile && (
          <ArchiveSelect value={v.status} onChange={(s) => form.set("status", s)} error={form.errorFor("status")} />
        )}
        <FormAlert form={form} />
        <FormButtons form={form} label={profile ? "Save profile" : "Create profile"} />
      </Stack>
    </form>
  );
}
