/** The organization's reasons for taking a key: whether a work order is needed, and the default due time. */
import { Button, Checkbox, NumberInput, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { api } from "../api.ts";
import { ArchiveSelect, Editable, FormAlert, FormButtons, numberOrNull, useApiForm } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { RecordModal } from "../components/record-modal.tsx";
import { type Column, ResourceTable } from "../components/resource-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatMinutes } from "../format.ts";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { ReasonCode } from "../types.ts";

function ReasonCodeForm({ reason, onDone }: { reason: ReasonCode | null; onDone: () => void }) {
  const invalidate = useInvalidate();
  const form = useApiForm({
    initial: {
      code: reason?.code ?? "",
      label: reason?.label ?? "",
      requiresWorkOrder: reason?.requiresWorkOrder ?? false,
      defaultDueMinutes: (reason?.defaultDueMinutes ?? "") as number | string,
      sortOrder: (reason?.sortOrder ?? 100) as number | string,
      status: reason?.status ?? "active",
    },
    submit: (v) => {
      const body = {
        label: v.label,
        requiresWorkOrder: v.requiresWorkOrder,
        defaultDueMinutes: numberOrNull(v.defaultDueMinutes),
        sortOrder: numberOrNull(v.sortOrder) ?? 100,
      };
      return reason
        ? api.patch<ReasonCode>(`reason-codes/${reason.id}`, { ...body, status: v.status })
        : api.post<ReasonCode>("reason-codes", { ...body, code: v.code });
    },
    onSuccess: async () => {
      await invalidate("reason-codes");
      onDone();
    },
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput
            label="Code"
            description="Stable key, e.g. “work_order”; cannot change later"
            required
            disabled={reason !== null}
            value={v.code}
            onChange={(e) => form.set("code", e.currentTarget.value)}
            error={form.errorFor("code")}
          />
          <TextInput
            label="Label"
            description="What the kiosk shows"
            required
            value={v.label}
            onChange={(e) => form.set("label", e.currentTarget.value)}
            error={form.errorFor("label")}
          />
          <NumberInput
            label="Default due time (minutes)"
            placeholder="None"
            min={5}
            max={43200}
            value={v.defaultDueMinutes}
            onChange={(n) => form.set("defaultDueMinutes", n)}
            error={form.errorFor("defaultDueMinutes")}
          />
          <NumberInput
            label="Position in lists"
            description="Lower comes first"
            min={0}
            max={10000}
            value={v.sortOrder}
            onChange={(n) => form.set("sortOrder", n)}
            error={form.errorFor("sortOrder")}
          />
        </SimpleGrid>
        <Checkbox
          label="Requires a work-order number"
          checked={v.requiresWorkOrder}
          onChange={(e) => form.set("requiresWorkOrder", e.currentTarget.checked)}
        />
        {reason && <ArchiveSelect value={v.status} onChange={(s) => form.set("status", s)} />}
        <FormAlert form={form} />
        <FormButtons form={form} label={reason ? "Save reason" : "Create reason"} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function ReasonCodesPage() {
  const session = useSession();
  const [editing, setEditing] = useState<ReasonCode | "new" | null>(null);
  const canCreate = session.can("create", "reasonCode", null);
  const columns: Column<ReasonCode>[] = [
    {
      key: "label",
      header: "Reason",
      sort: "label",
      value: (r) => r.label,
      render: (r) => (
        <Button variant="subtle" size="compact-sm" onClick={() => setEditing(r)}>
          {r.label}
        </Button>
      ),
    },
    { key: "code", header: "Code", sort: "code", value: (r) => r.code },
    { key: "wo", header: "Work order", value: (r) => (r.requiresWorkOrder ? "Required" : "") },
    {
      key: "due",
      header: "Default due",
      value: (r) => (r.defaultDueMinutes ? formatMinutes(r.defaultDueMinutes) : ""),
    },
    { key: "order", header: "Position", sort: "sortOrder", value: (r) => r.sortOrder },
    { key: "status", header: "Status", value: (r) => r.status, render: (r) => <StatusBadge status={r.status} /> },
  ];
  const current = editing === "new" ? null : editing;
  return (
    <Page
      title="Reason codes"
      description="Why a key leaves the cabinet. Shared by every property of the organization."
      actions={canCreate && <Button onClick={() => setEditing("new")}>New reason</Button>}
    >
      <ResourceTable<ReasonCode> path="reason-codes" label="Reason codes" columns={columns} search="Code or label" />
      <RecordModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={current ? current.label : "New reason code"}
        history={current ? { entityType: "reasonCode", entityId: current.id } : null}
      >
        <Editable allowed={current ? session.can("update", "reasonCode", null) : canCreate}>
          <ReasonCodeForm key={current?.id ?? "new"} reason={current} onDone={() => setEditing(null)} />
        </Editable>
      </RecordModal>
    </Page>
  );
}
