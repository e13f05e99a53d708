/** A modal holding a record's form and, for an existing record, its history beside it. */
import { Modal, Tabs } from "@mantine/core";
import type { ReactNode } from "react";
import { HistoryList } from "./history-list.tsx";

export function RecordModal({
  opened,
  onClose,
  title,
  history,
  size = "lg",
  children,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  /** The record whose history to offer; absent while creating. */
  history?: { entityType: string; entityId: string } | null;
  size?: string;
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size={size} fullScreen={false} centered>
      {history ? (
        <Tabs defaultValue="details" keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="details">Details</Tabs.Tab>
            <Tabs.Tab value="history">History</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="details">{children}</Tabs.Panel>
          <Tabs.Panel value="history">
            <HistoryList entityType={history.entityType} entityId={history.entityId} />
          </Tabs.Panel>
        </Tabs>
      ) : (
        children
      )}
    </Modal>
  );
}
