/**
 * A unit's evidence packet for a period, downloaded straight from the API: plain links, so the browser saves the
 * file the server names and the session cookie authenticates it.
 */
import { Button, Code, Group, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { apiUrl } from "../api.ts";
import { Section } from "../components/detail-layout.tsx";
import { todayIn } from "../format.ts";
import type { Unit } from "../types.ts";

/** The period offered first: the last 90 days, today included. */
const DEFAULT_DAYS = 90;
/** The longest period the server builds a packet for (`to` counts as a whole day). */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

function dayNumber(date: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    return null;
  }
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms / DAY_MS;
}

function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

/** Why the period cannot be asked for, or null when it can. */
export function periodProblem(from: string, to: string): string | null {
  const start = dayNumber(from);
  const end = dayNumber(to);
  if (start === null || end === null) {
    return "Choose both dates.";
  }
  if (start > end) {
    return "The start date is after the end date.";
  }
  if (end - start + 1 > MAX_DAYS) {
    return `A packet covers at most ${MAX_DAYS} days; shorten the period.`;
  }
  return null;
}

/** From/to dates (in the property's calendar) and the two downloads. */
export function EvidencePacketSection({ unit, zone }: { unit: Unit; zone: string }) {
  const [to, setTo] = useState(() => todayIn(zone));
  const [from, setFrom] = useState(() => daysBefore(to, DEFAULT_DAYS - 1));
  const problem = periodProblem(from, to);
  const href = (format: "pdf" | "json") =>
    problem ? undefined : apiUrl(`units/${unit.id}/evidence-packet`, { from, to, format });
  return (
    <Section title="Evidence packet">
      <Stack gap="sm">
        <Text size="sm">
          Every time a key to this unit left and came back in the period: who, when, why, the work order and for how
          long. The JSON file also carries each event with its proof against the signed checkpoint, so anyone can check
          offline (<Code>keyward audit verify-packet</Code>) that none was changed after it was written.
        </Text>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput
            type="date"
            label="From"
            value={from}
            max={to}
            onChange={(e) => setFrom(e.currentTarget.value)}
            w={170}
          />
          <TextInput
            type="date"
            label="To (included)"
            value={to}
            min={from}
            onChange={(e) => setTo(e.currentTarget.value)}
            w={170}
          />
        </Group>
        {problem && (
          <Text size="sm" c="red.9" role="alert">
            {problem}
          </Text>
        )}
        <Group gap="sm" wrap="wrap">
          <Button component="a" href={href("pdf")} disabled={problem !== null}>
            Download PDF
          </Button>
          <Button component="a" href={href("json")} disabled={problem !== null} variant="light">
            Download JSON
          </Button>
        </Group>
        <Text size="xs" c="gray.7">
          Dates are calendar days at the property.
        </Text>
      </Stack>
    </Section>
  );
}
