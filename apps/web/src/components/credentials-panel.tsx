/**
 * A person's credentials: badges, their PIN (never the PIN itself — only whether they chose it) and fingerprint
 * enrolments, with issuing, disabling, revoking and PIN resets.
 */
import { Button, Checkbox, Code, Group, Modal, SegmentedControl, Stack, Text, Textarea } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api.ts";
import { formatInstant } from "../format.ts";
import { CREDENTIAL_KIND_LABELS, CREDENTIAL_STATUS_LABELS, optionsOf } from "../labels.ts";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Credential, CredentialIssued, CredentialKind, CredentialStatus, Person } from "../types.ts";
import { ActivationCodeModal, type ShownCode } from "./activation-code-modal.tsx";
import { FormAlert, FormButtons, TextField, useApiForm } from "./form.tsx";
import { HistoryList } from "./history-list.tsx";
import { ResourceTable } from "./resource-table.tsx";
import { StatusBadge } from "./status-badge.tsx";

function IssueForm({
  person,
  onIssued,
  onCancel,
}: {
  person: Person;
  onIssued: (issued: CredentialIssued) => void;
  onCancel: () => void;
}) {
  const form = useApiForm({
    initial: {
      kind: "badge" as CredentialKind,
      badgeNumber: "",
      fingerprintRef: "",
      consent: false,
      consentText: "",
    },
    submit: (v) =>
      api.post<CredentialIssued>(
        `people/${person.id}/credentials`,
        v.kind === "badge"
          ? { kind: "badge", badgeNumber: v.badgeNumber }
          : v.kind === "pin"
            ? { kind: "pin" }
            : {
                kind: "fingerprint",
                fingerprintRef: v.fingerprintRef,
                consent: v.consent,
                ...(v.consentText.trim() ? { consentText: v.consentText.trim() } : {}),
              },
      ),
    check: (v): Record<string, string> =>
      v.kind === "fingerprint" && !v.consent ? { consent: "Record the person's consent first." } : {},
    onSuccess: onIssued,
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <SegmentedControl
          aria-label="Kind of credential"
          data={optionsOf(CREDENTIAL_KIND_LABELS)}
          value={v.kind}
          onChange={(k) => form.set("kind", k as CredentialKind)}
          fullWidth
        />
        {v.kind === "badge" && (
          <TextField
            form={form}
            field="badgeNumber"
            label="Badge number"
            description="As printed on the badge or read by the reader"
            required
          />
        )}
        {v.kind === "pin" && (
          <Text size="sm">
            Keyward will show a one-time activation code. {person.firstName} enters it at a cabinet and chooses their
            own PIN there; no manager ever sees or sets a PIN.
          </Text>
        )}
        {v.kind === "fingerprint" && (
          <>
            <TextField
              form={form}
              field="fingerprintRef"
              label="Enrolment reference"
              description="The reference the reader gave; the fingerprint template itself never leaves the reader"
              required
            />
            <Checkbox
              label={`${person.firstName} ${person.lastName} agreed to fingerprint enrolment`}
              checked={v.consent}
              onChange={(e) => form.set("consent", e.currentTarget.checked)}
              error={form.errorFor("consent")}
            />
            <Textarea
              label="Consent wording (optional)"
              description="What the person agreed to, kept with the enrolment"
              autosize
              minRows={2}
              value={v.consentText}
              onChange={(e) => form.set("consentText", e.currentTarget.value)}
              error={form.errorFor("consentText")}
            />
          </>
        )}
        <FormAlert form={form} />
        <FormButtons form={form} label={v.kind === "pin" ? "Issue PIN activation code" : "Issue"} onCancel={onCancel} />
      </Stack>
    </form>
  );
}

function identifier(c: Credential): string {
  if (c.kind === "badge") {
    return c.badgeNumber ?? "";
  }
  if (c.kind === "fingerprint") {
    return c.fingerprintRef ?? "";
  }
  return c.pinState === "set" ? "PIN chosen" : "Awaiting activation";
}

export function CredentialsPanel({ person }: { person: Person }) {
  const session = useSession();
  const invalidate = useInvalidate();
  const zone = session.zoneOf(person.homePropertyId);
  const [issuing, { open, close }] = useDisclosure(false);
  const [shown, setShown] = useState<ShownCode | null>(null);
  const [historyOf, setHistoryOf] = useState<Credential | null>(null);
  const canIssue = person.status === "active" && session.can("create", "credential", person.homePropertyId);
  const canChange = session.can("update", "credential", person.homePropertyId);
  const personName = `${person.firstName} ${person.lastName}`;

  const showCode = (issued: CredentialIssued) => {
    if (issued.activationCode) {
      setShown({ personName, code: issued.activationCode, expiresAt: issued.activationExpiresAt, zone });
    }
  };
  const setStatus = useMutation({
    mutationFn: ({ c, status }: { c: Credential; status: CredentialStatus }) =>
      api.patch<Credential>(`credentials/${c.id}`, { status }),
    onSuccess: async (c) => {
      notifications.show({
        color: "green",
        message: `${CREDENTIAL_KIND_LABELS[c.kind]} ${CREDENTIAL_STATUS_LABELS[c.status].toLowerCase()}.`,
      });
      await invalidate("credentials");
    },
    onError: (error) => notifications.show({ color: "red", title: "Not changed", message: error.message }),
  });
  const resetPin = useMutation({
    mutationFn: (c: Credential) => api.post<CredentialIssued>(`credentials/${c.id}/reset-pin`),
    onSuccess: async (issued) => {
      showCode(issued);
      await invalidate("credentials");
    },
    onError: (error) => notifications.show({ color: "red", title: "PIN not reset", message: error.message }),
  });

  return (
    <Stack>
      {canIssue && (
        <Group>
          <Button onClick={open}>Issue a credential</Button>
        </Group>
      )}
      <ResourceTable<Credential>
        bare
        path="credentials"
        label={`Credentials of ${personName}`}
        query={{ personId: person.id }}
        empty="No credentials yet."
        columns={[
          { key: "kind", header: "Kind", value: (c) => CREDENTIAL_KIND_LABELS[c.kind] },
          {
            key: "id",
            header: "Badge / reference / PIN",
            value: identifier,
            render: (c) => (c.kind === "pin" ? identifier(c) : <Code>{identifier(c)}</Code>),
          },
          {
            key: "status",
            header: "Status",
            value: (c) => c.status,
            render: (c) => <StatusBadge status={c.status} label={CREDENTIAL_STATUS_LABELS[c.status]} />,
          },
          { key: "issued", header: "Issued", value: (c) => formatInstant(c.createdAt, zone) },
          {
            key: "actions",
            header: "Actions",
            render: (c) => (
              <Group gap={4} wrap="nowrap">
                {canChange && c.status === "active" && (
                  <Button
                    size="compact-xs"
                    variant="default"
                    onClick={() => setStatus.mutate({ c, status: "disabled" })}
                  >
                    Disable
                  </Button>
                )}
                {canChange && c.status === "disabled" && person.status === "active" && (
                  <Button size="compact-xs" variant="default" onClick={() => setStatus.mutate({ c, status: "active" })}>
                    Enable
                  </Button>
                )}
                {canChange && c.kind === "pin" && c.status !== "revoked" && (
                  <Button
                    size="compact-xs"
                    variant="default"
                    onClick={() => resetPin.mutate(c)}
                    loading={resetPin.isPending}
                  >
                    Reset PIN
                  </Button>
                )}
                {canChange && c.status !== "revoked" && (
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="red"
                    onClick={() => {
                      if (window.confirm(`Revoke this ${CREDENTIAL_KIND_LABELS[c.kind].toLowerCase()} for good?`)) {
                        setStatus.mutate({ c, status: "revoked" });
                      }
                    }}
                  >
                    Revoke
                  </Button>
                )}
                <Button size="compact-xs" variant="subtle" onClick={() => setHistoryOf(c)}>
                  History
                </Button>
              </Group>
            ),
          },
        ]}
      />
      <Modal opened={issuing} onClose={close} title={`Issue a credential to ${personName}`} size="lg">
        <IssueForm
          person={person}
          onCancel={close}
          onIssued={async (issued) => {
            close();
            showCode(issued);
            if (!issued.activationCode) {
              notifications.show({
                color: "green",
                message: `${CREDENTIAL_KIND_LABELS[issued.credential.kind]} issued.`,
              });
            }
            await invalidate("credentials");
          }}
        />
      </Modal>
      <Modal opened={historyOf !== null} onClose={() => setHistoryOf(null)} title="Credential history" size="lg">
        {historyOf && <HistoryList entityType="credential" entityId={historyOf.id} />}
      </Modal>
      <ActivationCodeModal shown={shown} onClose={() => setShown(null)} />
    </Stack>
  );
}
