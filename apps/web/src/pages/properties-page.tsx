/** The organization's properties, and the regions that group them. */
import { Button, Modal, Stack } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { Section } from "../components/detail-layout.tsx";
import { ArchiveSelect, Editable, FormAlert, FormButtons, TextField, useApiForm } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { PropertyForm } from "../components/property-form.tsx";
import { RecordModal } from "../components/record-modal.tsx";
import { type Column, ResourceTable, statusColumn, statusFilter } from "../components/resource-table.tsx";
import { formatMinutes } from "../format.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Property, Region } from "../types.ts";

function RegionForm({ region, onDone }: { region: Region | null; onDone: () => void }) {
  const invalidate = useInvalidate();
  const form = useApiForm({
    initial: { name: region?.name ?? "", status: region?.status ?? "active" },
    submit: (v) =>
      region ? api.patch<Region>(`regions/${region.id}`, v) : api.post<Region>("regions", { name: v.name }),
    onSuccess: async () => {
      await invalidate("regions");
      onDone();
    },
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <TextField form={form} field="name" label="Name" required />
        {region && <ArchiveSelect value={form.values.status} onChange={(s) => form.set("status", s)} />}
        <FormAlert form={form} />
        <FormButtons form={form} label={region ? "Save region" : "Create region"} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function PropertiesPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [creating, { open, close }] = useDisclosure(false);
  const [region, setRegion] = useState<Region | "new" | null>(null);
  const regions = useOptionsList<Region>("regions", {}, session.can("read", "region", null));
  const regionName = new Map((regions.data ?? []).map((r) => [r.id, r.name]));
  const columns: Column<Property>[] = [
    {
      key: "name",
      header: "Name",
      sort: "name",
      value: (p) => p.name,
      render: (p) => (
        <AppLink to={`/properties/${p.id}`} fw={500}>
          {p.name}
        </AppLink>
      ),
    },
    { key: "code", header: "Code", sort: "code", value: (p) => p.code },
    { key: "zone", header: "Time zone", value: (p) => p.timeZone },
    { key: "region", header: "Region", value: (p) => (p.regionId ? (regionName.get(p.regionId) ?? "") : "") },
    { key: "offline", header: "Offline limit", value: (p) => formatMinutes(p.maxOfflineMinutes) },
    { key: "copies", header: "Copies per unit", value: (p) => p.maxCopiesPerUnit },
    statusColumn(),
  ];
  const currentRegion = region === "new" ? null : region;
  const canCreateRegion = session.can("create", "region", null);
  return (
    <Page
      title="Properties"
      description="Every property you hold a role at"
      actions={session.can("create", "property", null) && <Button onClick={open}>New property</Button>}
    >
      <ResourceTable<Property>
        path="properties"
        label="Properties"
        columns={columns}
        search="Name, code or address"
        filters={[statusFilter("archived")]}
      />
      {session.can("read", "region", null) && (
        <Section
          title="Regions"
          actions={
            canCreateRegion && (
              <Button size="xs" onClick={() => setRegion("new")}>
                New region
              </Button>
            )
          }
        >
          <ResourceTable<Region>
            path="regions"
            label="Regions"
            columns={[
              {
                key: "name",
                header: "Name",
                sort: "name",
                value: (r) => r.name,
                render: (r) => (
                  <Button variant="subtle" size="compact-sm" onClick={() => setRegion(r)}>
                    {r.name}
                  </Button>
                ),
              },
              statusColumn(),
            ]}
            search="Name"
          />
        </Section>
      )}
      <Modal opened={creating} onClose={close} title="New property" size="lg">
        <PropertyForm property={null} onSaved={(p) => navigate(`/properties/${p.id}`)} onCancel={close} />
      </Modal>
      <RecordModal
        opened={region !== null}
        onClose={() => setRegion(null)}
        title={currentRegion ? `Region ${currentRegion.name}` : "New region"}
        history={currentRegion ? { entityType: "region", entityId: currentRegion.id } : null}
        size="md"
      >
        <Editable allowed={currentRegion ? session.can("update", "region", null) : canCreateRegion}>
          <RegionForm key={currentRegion?.id ?? "new"} region={currentRegion} onDone={() => setRegion(null)} />
        </Editable>
      </RecordModal>
    </Page>
  );
}
