/**
 * The audit trail: first whether it can be proved intact (the last verification, and a button to verify now), then
 * the log and its latest signed checkpoint, the key that checks the signatures, and the offsite copies. The
 * organization spans time zones, so every time here is in UTC and says so.
 */
import type { AuditStatus, AuditVerification } from "@keyward/contracts/audit";
import { Alert, Badge, Button, Code, CopyButton, Group, List, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { api, apiUrl } from "../api.ts";
import { Section } from "../components/detail-layout.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { formatInstant } from "../format.ts";
import { TONES } from "../labels.ts";
import { useSession } from "../session.tsx";
import { AUDIT_STATUS_KEY, isFailing, useAuditStatus, VERIFICATION_WORDS } from "./audit-trail-warning.tsx";

const UTC = "UTC";

const TRIGGER_WORDS: Record<AuditVerification["trigger"], string> = {
  scheduled: "nightly check",
  cli: "from the command line",
  dashboard: "from the dashboard",
};

/** "1a2b3c4d5e6f…9a8b7c": enough of a hash to compare by eye; the copy button carries all of it. */
function shortHash(hex: string): string {
  return hex.length > 20 ? `${hex.slice(0, 12)}…${hex.slice(-6)}` : hex;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button
          size="compact-xs"
          variant={copied ? "filled" : "light"}
          color={copied ? TONES.ok : undefined}
          onClick={copy}
          aria-label={`Copy ${label}`}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      )}
    </CopyButton>
  );
}

/** One labelled fact of the log. */
function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="gray.7" fw={700}>
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}

function VerificationResult({ verification }: { verification: AuditVerification | null }) {
  if (!verification) {
    return (
      <Stack gap={4} data-testid="verification">
        <Group gap="xs">
          <Badge color="gray" variant="light" size="lg" radius="sm">
            Not verified yet
          </Badge>
        </Group>
        <Text size="sm">The trail is verified every night; press "Verify now" to check it at once.</Text>
      </Stack>
    );
  }
  const words = VERIFICATION_WORDS[verification.status];
  const total = Object.values(verification.counts).reduce((a, b) => a + b, 0);
  return (
    <Stack gap="xs" data-testid="verification">
      <Group gap="xs" wrap="wrap">
        <Badge color={words.color} variant="filled" size="lg" radius="sm">
          {words.label}
        </Badge>
        <Text size="sm" fw={600}>
          {count(verification.entriesVerified, "entry", "entries")} verified
        </Text>
      </Group>
      <Text size="sm">{words.says}</Text>
      <Text size="sm" c="gray.7">
        Finished {formatInstant(verification.finishedAt, UTC)} ({TRIGGER_WORDS[verification.trigger]})
      </Text>
      {verification.findings.length > 0 && (
        <div>
          <Text size="sm" fw={700} c={words.color}>
            {count(total, "finding")}
            {total > verification.findings.length ? `, the first ${verification.findings.length} shown` : ""}
          </Text>
          <List size="sm" spacing={4} mt={4} aria-label="Findings">
            {verification.findings.map((f) => (
              // why: a code repeats across entries, but each message names the entry, device or copy it is about
              <List.Item key={`${f.code} ${f.message}`}>
                <Code c={f.severity === "failure" ? TONES.danger : TONES.warning} fw={700}>
                  {f.code}
                </Code>{" "}
                <Text span size="sm" style={{ overflowWrap: "anywhere" }}>
                  {f.message}
                </Text>
              </List.Item>
            ))}
          </List>
        </div>
      )}
    </Stack>
  );
}

function Integrity({ status }: { status: AuditStatus }) {
  const client = useQueryClient();
  const verify = useMutation({
    mutationFn: () => api.post<AuditVerification>("audit/verifications"),
    onSuccess: async (result) => {
      client.setQueryData<AuditStatus>(AUDIT_STATUS_KEY, (s) => (s ? { ...s, lastVerification: result } : s));
      await client.invalidateQueries({ queryKey: AUDIT_STATUS_KEY });
    },
  });
  return (
    <Section title="Is the trail intact?">
      <Stack gap="sm">
        {verify.isPending ? (
          <Text size="sm" fw={600} role="status">
            Verifying every entry, checkpoint and cabinet chain… this takes a few seconds on a large log.
          </Text>
        ) : (
          <VerificationResult verification={status.lastVerification} />
        )}
        {verify.isError && (
          <Alert color="red" title="Could not verify">
            {verify.error.message}
          </Alert>
        )}
        <Group>
          <Button onClick={() => verify.mutate()} loading={verify.isPending} loaderProps={{ type: "dots" }}>
            Verify now
          </Button>
        </Group>
      </Stack>
    </Section>
  );
}

function Log({ status }: { status: AuditStatus }) {
  const checkpoint = status.checkpoint;
  return (
    <Section title="Log">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <Fact label="Entries">
          <Text fw={700} fz="xl">
            {status.size.toLocaleString("en-US")}
          </Text>
        </Fact>
        <Fact label="Waiting to be appended">
          <Text fw={700} fz="xl">
            {status.pending.toLocaleString("en-US")}
          </Text>
          <Text size="xs" c="gray.7">
            New events join the log within seconds.
          </Text>
        </Fact>
        <Fact label="Latest signed checkpoint">
          {checkpoint ? (
            <Text size="sm">
              {count(checkpoint.size, "entry", "entries")}, signed {formatInstant(checkpoint.signedAt, UTC)}
            </Text>
          ) : (
            <Text size="sm">None yet: one is signed within a minute of the first event.</Text>
          )}
        </Fact>
        <Fact label="Root hash">
          <Group gap="xs" wrap="nowrap">
            <Code title={status.rootHash} data-testid="root-hash">
              {shortHash(status.rootHash)}
            </Code>
            <CopyValue value={status.rootHash} label="root hash" />
          </Group>
        </Fact>
      </SimpleGrid>
      <Text size="xs" c="gray.7" mt="sm" style={{ overflowWrap: "anywhere" }}>
        Log {status.origin}
      </Text>
      {checkpoint && (
        <Group mt="sm">
          <Button
            component="a"
            href={apiUrl("audit/checkpoint")}
            download={`keyward-checkpoint-${checkpoint.size}.txt`}
            variant="light"
          >
            Download checkpoint
          </Button>
          <Text size="xs" c="gray.7">
            The signed note: keep it, and any later rewrite of the first {count(checkpoint.size, "entry", "entries")}{" "}
            shows.
          </Text>
        </Group>
      )}
    </Section>
  );
}

function VerifierKey({ verifierKey }: { verifierKey: string | null }) {
  return (
    <Section title="Verifier key">
      {verifierKey ? (
        <Stack gap="xs">
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Code block data-testid="verifier-key" style={{ wordBreak: "break-all", whiteSpace: "pre-wrap", flex: 1 }}>
              {verifierKey}
            </Code>
            <CopyValue value={verifierKey} label="verifier key" />
          </Group>
          <Text size="sm">
            Publish this key or hand it to your auditor and insurer: checkpoints and evidence packets are checked
            against it, so a copy kept outside Keyward is what shows a rewritten trail.
          </Text>
        </Stack>
      ) : (
        <Alert color="yellow" title="No signing key">
          No checkpoint is signed: set KEYWARD_AUDIT_SIGNING_KEY or KEYWARD_AUDIT_KEY_FILE on the server.
        </Alert>
      )}
    </Section>
  );
}

function Offsite({ status }: { status: AuditStatus }) {
  return (
    <Section title="Offsite copies">
      {status.offsite.length === 0 ? (
        <Alert color="yellow" title="Not configured">
          No copy of the log leaves this server. Set <Code>KEYWARD_AUDIT_OFFSITE</Code> to a directory on another drive
          or an <Code>s3://bucket/prefix</Code>, so that a copy lives where whoever controls this server cannot rewrite
          it.
        </Alert>
      ) : (
        <Stack gap="sm">
          {status.offsite.map((t) => {
            const failing = isFailing(t);
            return (
              <Paper
                key={t.target}
                withBorder
                p="sm"
                radius="md"
                bg={failing ? "red.0" : undefined}
                style={{ borderColor: failing ? "var(--mantine-color-red-9)" : undefined }}
                aria-label={`Offsite copy to ${t.target}`}
                component="article"
              >
                <Group gap="xs" justify="space-between" wrap="wrap">
                  <Code style={{ overflowWrap: "anywhere" }}>{t.target}</Code>
                  {failing ? (
                    <Badge color={TONES.danger} variant="filled" radius="sm">
                      Failing
                    </Badge>
                  ) : t.lastSuccessAt ? (
                    <Badge color={TONES.ok} variant="light" radius="sm">
                      Copying
                    </Badge>
                  ) : (
                    <Badge color="gray" variant="light" radius="sm">
                      Not copied yet
                    </Badge>
                  )}
                </Group>
                <Text size="sm" mt={6}>
                  Last successful copy:{" "}
                  {t.lastSuccessAt
                    ? `${formatInstant(t.lastSuccessAt, UTC)}, ${count(t.copiedSize, "entry", "entries")} of ${status.size.toLocaleString("en-US")}`
                    : "never"}
                </Text>
                {failing && (
                  <Text size="sm" c={TONES.danger} fw={600} mt={4} style={{ overflowWrap: "anywhere" }}>
                    {count(t.failures, "failed attempt")} in a row
                    {t.lastError ? `. Last error: ${t.lastError}` : ""}
                    {t.nextAttemptAt ? `. Next attempt ${formatInstant(t.nextAttemptAt, UTC)}.` : "."}
                  </Text>
                )}
              </Paper>
            );
          })}
        </Stack>
      )}
    </Section>
  );
}

export function AuditPage() {
  const session = useSession();
  const allowed = session.can("read", "auditTrail", null);
  const status = useAuditStatus(allowed);
  const description = "Every change and cabinet event, in an append-only log with signed checkpoints. Times in UTC.";
  if (!allowed) {
    return (
      <Page title="Audit trail" description={description}>
        <Alert color="yellow">Only organization-wide roles see the audit trail.</Alert>
      </Page>
    );
  }
  if (!status.data) {
    return (
      <Page title="Audit trail" description={description}>
        <QueryState error={status.error} pending={status.isPending} />
      </Page>
    );
  }
  return (
    <Page title="Audit trail" description={description}>
      <Integrity status={status.data} />
      <Log status={status.data} />
      <VerifierKey verifierKey={status.data.verifierKey} />
      <Offsite status={status.data} />
    </Page>
  );
}
