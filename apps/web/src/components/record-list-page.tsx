/**
 * The screen of a simple resource whose records need no page of their own (buildings, key sets, holiday calendars,
 * reason codes): a table whose first column opens the record in a modal, with its history beside the form.
 */
import type { Entity } from "@keyward/domain/permissions";
import { Button } from "@mantine/core";
import { Fragment, type ReactNode, useState } from "react";
import { Editable } from "./form.tsx";
import { Page } from "./page.tsx";
import { RecordModal } from "./record-modal.tsx";
import { type Column, ResourceTable, type ResourceTableProps } from "./resource-table.tsx";

/** The column that names a record and opens it. */
export interface OpenColumn<T> {
  key: string;
  header: string;
  sort: string;
  label: (row: T) => string;
}

/** A simple resource's table, its "New …" button, and the modal that creates, edits or shows a record. */
export function RecordListPage<T extends { id: string }>({
  title,
  description,
  newLabel,
  canCreate,
  table,
  tableKey,
  openColumn,
  columns,
  entity,
  modalTitle,
  canUpdate,
  form,
}: {
  title: string;
  description: ReactNode;
  /** The toolbar button's label, e.g. "New building". */
  newLabel: string;
  canCreate: boolean;
  /** The table, but for its columns. */
  table: Omit<ResourceTableProps<T>, "columns">;
  /** Remounts the table (its search, filters and pages) when the chosen property changes. */
  tableKey?: string;
  openColumn: OpenColumn<T>;
  /** The columns after the first. */
  columns: Column<T>[];
  /** Names the records' history. */
  entity: Entity;
  /** The modal's title; `null` while creating. */
  modalTitle: (record: T | null) => string;
  /** Whether the user may change this record; otherwise its form shows read-only. */
  canUpdate: (record: T) => boolean;
  form: (record: T | null, onDone: () => void) => ReactNode;
}) {
  const [editing, setEditing] = useState<T | "new" | null>(null);
  const current = editing === "new" ? null : editing;
  const close = () => setEditing(null);
  const first: Column<T> = {
    key: openColumn.key,
    header: openColumn.header,
    sort: openColumn.sort,
    value: openColumn.label,
    render: (row) => (
      <Button variant="subtle" size="compact-sm" onClick={() => setEditing(row)}>
        {openColumn.label(row)}
      </Button>
    ),
  };
  return (
    <Page
      title={title}
      description={description}
      actions={canCreate && <Button onClick={() => setEditing("new")}>{newLabel}</Button>}
    >
      <ResourceTable<T> key={tableKey} {...table} columns={[first, ...columns]} />
      <RecordModal
        opened={editing !== null}
        onClose={close}
        title={modalTitle(current)}
        history={current ? { entityType: entity, entityId: current.id } : null}
      >
        <Editable allowed={current ? canUpdate(current) : canCreate}>
          {/* why: a fresh form per record, so one record's edits never carry over to the next */}
          <Fragment key={current?.id ?? "new"}>{form(current, close)}</Fragment>
        </Editable>
      </RecordModal>
    </Page>
  );
}
