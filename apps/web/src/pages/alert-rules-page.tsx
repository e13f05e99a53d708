/**
 * The rules that raise alerts, for one property (or the organization's own, for organization roles): one panel per
 * kind with on/off, severity, threshold, recipients, channels, quiet hours and escalation, saved one kind at a time
 * and reset to the kind's defaults. Those who may only read see the same panels with every input disabled.
 */
import type { AlertRuleList, AlertRuleView } from "@keyward/contracts/alerts";
import {
  ALERT_CHANNELS,
  ALERT_SEVERITIES,
  type AlertChannel,
  type AlertSeverity,
  effectiveAlertRule,
  validateAlertRule,
} from "@keyward/domain/alerts";
import { PERMISSIONS, ROLES, type Role } from "@keyward/domain/permissions";
import {
  Accordion,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ALERT_CHANNEL_LABELS, ALERT_SEVERITY_LABELS } from "../alerts.ts";
import { api } from "../api.ts";
import { SeverityBadge } from "../components/alert-badges.tsx";
import { Editable, FormAlert, FormButtons, numberOrNull, useApiForm } from "../components/form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { describeZone, formatMinutes } from "../format.ts";
import { ROLE_LABELS, TONES } from "../labels.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { User } from "../types.ts";

const PATH = "alert-rules";
/** The choice standing for the organization's own rules (no property). */
const ORGANIZATION = "organization";
/** Roles that may be told: those that read alerts (the others could not open what they are told about). */
const RECIPIENT_ROLES: Role[] = ROLES.filter((r) => PERMISSIONS[r].alert.includes("read"));
const ROLE_OPTIONS = RECIPIENT_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));
const UNIT_WORDS = { minutes: "minutes", count: "times" } as const;

interface RuleValues {
  enabled: boolean;
  severity: AlertSeverity;
  threshold: number | string;
  recipientRoles: string[];
  recipientUserIds: string[];
  notifyHolder: boolean;
  channels: string[];
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  escalateAfterMinutes: number | string;
  escalationRoles: string[];
  escalationUserIds: string[];
}

function valuesOf(rule: AlertRuleView): RuleValues {
  return {
    enabled: rule.enabled,
    severity: rule.severity,
    threshold: rule.threshold ?? "",
    recipientRoles: rule.recipientRoles,
    recipientUserIds: rule.recipientUserIds,
    notifyHolder: rule.notifyHolder,
    channels: rule.channels,
    quiet: rule.quietHours !== null,
    quietStart: rule.quietHours?.start ?? "22:00",
    quietEnd: rule.quietHours?.end ?? "07:00",
    escalateAfterMinutes: rule.escalateAfterMinutes ?? "",
    escalationRoles: rule.escalationRoles,
    escalationUserIds: rule.escalationUserIds,
  };
}

/** The whole rule as the API takes it (`PUT /api/v1/alert-rules/:kind`). */
function bodyOf(rule: AlertRuleView, v: RuleValues) {
  return {
    enabled: v.enabled,
    severity: v.severity,
    threshold: rule.thresholdSpec ? numberOrNull(v.threshold) : null,
    recipientRoles: v.recipientRoles as Role[],
    recipientUserIds: v.recipientUserIds,
    notifyHolder: v.notifyHolder,
    channels: v.channels as AlertChannel[],
    quietHours: v.quiet ? { start: v.quietStart, end: v.quietEnd } : null,
    escalateAfterMinutes: numberOrNull(v.escalateAfterMinutes),
    escalationRoles: v.escalationRoles as Role[],
    escalationUserIds: v.escalationUserIds,
  };
}

/** A rule's row while folded: what it is, whether it is on, how loud, and its threshold. */
function RuleSummary({ rule }: { rule: AlertRuleView }) {
  const spec = rule.thresholdSpec;
  return (
    <Group justify="space-between" wrap="wrap" gap="xs">
      <div style={{ minWidth: 0, flex: "1 1 280px" }}>
        <Text fw={600}>{rule.title}</Text>
        <Text size="sm" c="gray.7">
          {rule.description}
        </Text>
      </div>
      <Group gap={6} wrap="wrap">
        <Badge
          variant="light"
          color={rule.enabled ? "green" : "gray"}
          c={rule.enabled ? TONES.ok : "gray.8"}
          radius="sm"
        >
          {rule.enabled ? "On" : "Off"}
        </Badge>
        <SeverityBadge severity={rule.severity} />
        {spec && rule.threshold !== null && (
          <Badge variant="outline" color="gray.8" radius="sm">
            {spec.unit === "count"
              ? `${rule.threshold} times`
              : // why: formatMinutes reads 0 as whole days ("0 d"); no grace is zero minutes
                rule.threshold === 0
                ? "0 min"
                : formatMinutes(rule.threshold)}
          </Badge>
        )}
        {rule.customized && (
          <Badge variant="outline" color="gray.8" radius="sm">
            Changed
          </Badge>
        )}
      </Group>
    </Group>
  );
}

function RuleForm({
  rule,
  propertyId,
  allowed,
  users,
}: {
  rule: AlertRuleView;
  propertyId: string | null;
  allowed: boolean;
  users: { value: string; label: string }[];
}) {
  const invalidate = useInvalidate();
  const [saved, setSaved] = useState<string | null>(null);
  const query = { propertyId: propertyId ?? undefined };
  const form = useApiForm({
    initial: valuesOf(rule),
    check: (v) => {
      const problems: Record<string, string> = {};
      for (const { field, message } of validateAlertRule(effectiveAlertRule(rule.kind, bodyOf(rule, v)))) {
        problems[field] = problems[field] ? `${problems[field]} ${message}` : message;
      }
      return problems;
    },
    submit: (v) => api.put<AlertRuleView>(`${PATH}/${rule.kind}`, bodyOf(rule, v), query),
    onSuccess: async (fresh) => {
      form.replace(valuesOf(fresh));
      setSaved("Saved.");
      await invalidate(PATH);
    },
  });
  const reset = useMutation({
    mutationFn: () => api.put<AlertRuleView>(`${PATH}/${rule.kind}`, { reset: true }, query),
    onSuccess: async (fresh) => {
      form.replace(valuesOf(fresh));
      setSaved("Back to the defaults.");
      await invalidate(PATH);
    },
  });
  const v = form.values;
  const spec = rule.thresholdSpec;
  // why: the server names the whole rule when the domain's check fails there; it shows above the buttons
  const ruleProblem = form.errorFor("rule");
  // why: a chosen user the list cannot name (another property's) must still show, not vanish from the field
  const userOptions = (chosen: string[]) => [
    ...users,
    ...chosen.filter((id) => !users.some((u) => u.value === id)).map((id) => ({ value: id, label: "A chosen user" })),
  ];
  return (
    <Accordion.Item value={rule.kind}>
      <Accordion.Control aria-label={`${rule.title}: ${rule.enabled ? "on" : "off"}`}>
        <RuleSummary rule={rule} />
      </Accordion.Control>
      <Accordion.Panel>
        <Editable allowed={allowed}>
          <form
            onSubmit={(e) => {
              setSaved(null);
              form.onSubmit(e);
            }}
            noValidate
          >
            <Stack gap="sm">
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
                <Switch
                  label="On"
                  description="Off: this cause raises no alert"
                  checked={v.enabled}
                  onChange={(e) => form.set("enabled", e.currentTarget.checked)}
                  error={form.errorFor("enabled")}
                />
                <Select
                  label="Severity"
                  data={ALERT_SEVERITIES.map((s) => ({ value: s, label: ALERT_SEVERITY_LABELS[s] }))}
                  value={v.severity}
                  onChange={(s) => s && form.set("severity", s as AlertSeverity)}
                  allowDeselect={false}
                  error={form.errorFor("severity")}
                />
                {spec && (
                  <NumberInput
                    label={spec.label}
                    description={`${spec.min} to ${spec.max} ${UNIT_WORDS[spec.unit]}; default ${spec.default}`}
                    rightSection={
                      <Text size="xs" c="gray.7" pr={8}>
                        {spec.unit === "minutes" ? "min" : "×"}
                      </Text>
                    }
                    rightSectionWidth={44}
                    min={spec.min}
                    max={spec.max}
                    allowDecimal={false}
                    value={v.threshold}
                    onChange={(n) => form.set("threshold", n)}
                    error={form.errorFor("threshold")}
                  />
                )}
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <MultiSelect
                  label="Tell everyone holding these roles"
                  description="At the property (through the property, its region or the organization)"
                  data={ROLE_OPTIONS}
                  value={v.recipientRoles}
                  onChange={(r) => form.set("recipientRoles", r)}
                  error={form.errorFor("recipientRoles")}
                />
                <MultiSelect
                  label="And these people"
                  searchable
                  data={userOptions(v.recipientUserIds)}
                  value={v.recipientUserIds}
                  onChange={(u) => form.set("recipientUserIds", u)}
                  error={form.errorFor("recipientUserIds")}
                />
              </SimpleGrid>
              <Group gap="xl" wrap="wrap" align="flex-start">
                <Checkbox
                  label="And the key's holder"
                  description="When they have a login"
                  checked={v.notifyHolder}
                  onChange={(e) => form.set("notifyHolder", e.currentTarget.checked)}
                  error={form.errorFor("notifyHolder")}
                />
                <Checkbox.Group
                  label="Send by"
                  description="Besides the dashboard, which always shows it"
                  value={v.channels}
                  onChange={(c) => form.set("channels", c)}
                  error={form.errorFor("channels")}
                >
                  <Group gap="md" mt={6}>
                    {ALERT_CHANNELS.map((c) => (
                      <Checkbox key={c} value={c} label={ALERT_CHANNEL_LABELS[c]} />
                    ))}
                  </Group>
                </Checkbox.Group>
              </Group>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <Switch
                  label="Quiet hours"
                  description="Messages below critical wait until they end"
                  checked={v.quiet}
                  onChange={(e) => form.set("quiet", e.currentTarget.checked)}
                  error={form.errorFor("quietHours")}
                />
                {v.quiet && (
                  <TextInput
                    type="time"
                    label="Quiet from"
                    value={v.quietStart}
                    onChange={(e) => form.set("quietStart", e.currentTarget.value)}
                    error={form.errorFor("quietHours.start")}
                  />
                )}
                {v.quiet && (
                  <TextInput
                    type="time"
                    label="Quiet until"
                    value={v.quietEnd}
                    onChange={(e) => form.set("quietEnd", e.currentTarget.value)}
                    error={form.errorFor("quietHours.end")}
                  />
                )}
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <NumberInput
                  label="Escalate after (minutes)"
                  description="Empty: never"
                  min={1}
                  max={7 * 24 * 60}
                  allowDecimal={false}
                  value={v.escalateAfterMinutes}
                  onChange={(n) => form.set("escalateAfterMinutes", n)}
                  error={form.errorFor("escalateAfterMinutes")}
                />
                <MultiSelect
                  label="Escalate to roles"
                  data={ROLE_OPTIONS}
                  value={v.escalationRoles}
                  onChange={(r) => form.set("escalationRoles", r)}
                  error={form.errorFor("escalationRoles")}
                />
                <MultiSelect
                  label="Escalate to people"
                  searchable
                  data={userOptions(v.escalationUserIds)}
                  value={v.escalationUserIds}
                  onChange={(u) => form.set("escalationUserIds", u)}
                  error={form.errorFor("escalationUserIds")}
                />
              </SimpleGrid>
              {ruleProblem && (
                <Alert color="red" title="Not saved" role="alert">
                  {ruleProblem}
                </Alert>
              )}
              <FormAlert form={form} />
              {reset.error && (
                <Text c="red.9" size="sm" role="alert">
                  {reset.error.message}
                </Text>
              )}
              {saved && !form.error && (
                <Text c="green.9" size="sm" role="status">
                  {saved}
                </Text>
              )}
              <FormButtons
                form={form}
                label="Save"
                extra={
                  <Button
                    variant="default"
                    loading={reset.isPending}
                    disabled={!rule.customized}
                    onClick={() => {
                      setSaved(null);
                      reset.mutate();
                    }}
                  >
                    Reset to defaults
                  </Button>
                }
              />
            </Stack>
          </form>
        </Editable>
      </Accordion.Panel>
    </Accordion.Item>
  );
}

export function AlertRulesPage() {
  const session = useSession();
  const properties = session.propertiesWhere("read", "alertRule");
  const organization = session.can("read", "alertRule", null) && session.canChooseAll;
  const [scope, setScope] = useState<string | null>(
    session.propertyId && properties.some((p) => p.id === session.propertyId)
      ? session.propertyId
      : (properties[0]?.id ?? (organization ? ORGANIZATION : null)),
  );
  const propertyId = scope === ORGANIZATION ? null : scope;
  const rules = useQuery({
    queryKey: [PATH, "list", scope],
    queryFn: () => api.get<AlertRuleList>(PATH, { propertyId: propertyId ?? undefined }),
    enabled: scope !== null,
  });
  const readsUsers = session.can("read", "user", null) || session.propertiesWhere("read", "user").length > 0;
  const users = useOptionsList<User>("users", { status: "active" }, readsUsers);
  const userOptions = (users.data ?? []).map((u) => ({ value: u.id, label: `${u.personName} (${u.email})` }));
  const allowed = session.can("update", "alertRule", propertyId);
  const choices = [
    ...(organization ? [{ value: ORGANIZATION, label: "Organization (audit trail)" }] : []),
    ...properties.map((p) => ({ value: p.id, label: p.name })),
  ];
  return (
    <Page
      title="Alert rules"
      description={
        rules.data
          ? `What raises an alert, how loudly and who is told. Quiet hours in ${describeZone(rules.data.timeZone)}.`
          : "What raises an alert, how loudly and who is told."
      }
    >
      <Select
        label="Rules of"
        data={choices}
        value={scope}
        onChange={(s) => s && setScope(s)}
        allowDeselect={false}
        searchable={choices.length > 8}
        w={{ base: "100%", xs: 320 }}
      />
      {!allowed && rules.data && (
        <Text size="sm" c="gray.7" role="note">
          You may read these rules; a manager changes them.
        </Text>
      )}
      {!rules.data ? (
        <QueryState error={rules.error} pending={rules.isPending && scope !== null} />
      ) : (
        <Accordion multiple variant="separated" radius="md">
          {rules.data.rules.map((rule) => (
            <RuleForm
              key={`${scope}:${rule.kind}`}
              rule={rule}
              propertyId={propertyId}
              allowed={allowed}
              users={userOptions}
            />
          ))}
        </Accordion>
      )}
    </Page>
  );
}
