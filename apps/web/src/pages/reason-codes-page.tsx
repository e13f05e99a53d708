/** The organization's reasons for taking a key: whether a work order is needed, and the default due time. */
import { Checkbox, SimpleGrid, Stack } from "@mantine/core";
import { api } from "../api.ts";
import {
  ArchiveSelect,
  FormAlert,
  FormButtons,
  NumberField,
  numberOrNull,
  TextField,
  useApiForm,
} from "../components/form.tsx";
import { RecordListPage } from "../components/record-list-page.tsx";
import { statusColumn } from "../components/resource-table.tsx";
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
          <TextField
            form={form}
            field="code"
            label="Code"
            description="Stable key, e.g. “work_order”; cannot change later"
            required
            disabled={reason !== null}
          />
          <TextField form={form} field="label" label="Label" description="What the kiosk shows" required />
          <NumberField
            form={form}
            field="defaultDueMinutes"
            label="Default due time (minutes)"
            placeholder="None"
            min={5}
            max={43200}
          />
          <NumberField
            form={form}
            field="sortOrder"
            label="Position in lists"
            description="Lower comes first"
            min={0}
            max={10000}
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
  return (
    <RecordListPage<ReasonCode>
      title="Reason codes"
      description="Why a key leaves the cabinet. Shared by every property of the organization."
      newLabel="New reason"
      canCreate={session.can("create", "reasonCode", null)}
      table={{ path: "reason-codes", label: "Reason codes", search: "Code or label" }}
      openColumn={{ key: "label", header: "Reason", sort: "label", label: (r) => r.label }}
      columns={[
        { key: "code", header: "Code", sort: "code", value: (r) => r.code },
        { key: "wo", header: "Work order", value: (r) => (r.requiresWorkOrder ? "Required" : "") },
        {
          key: "due",
          header: "Default due",
          value: (r) => (r.defaultDueMinutes ? formatMinutes(r.defaultDueMinutes) : ""),
        },
        { key: "order", header: "Position", sort: "sortOrder", value: (r) => r.sortOrder },
        statusColumn(),
      ]}
      entity="reasonCode"
      modalTitle={(r) => (r ? r.label : "New reason code")}
      canUpdate={() => session.can("update", "reasonCode", null)}
      form={(r, onDone) => <ReasonCodeForm reason={r} onDone={onDone} />}
    />
  );
}
