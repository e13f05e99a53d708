/**
 * CSV import of units, keys or people into a property: a dry run first (a preview and every problem by row and
 * column), then the real, all-or-nothing import. Exports give the same columns, as a template or a backup.
 */
import {
  Alert,
  Button,
  FileButton,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, api, apiUrl, type ErrorDetail } from "../api.ts";
import { Section } from "../components/detail-layout.tsx";
import { Page } from "../components/page.tsx";
import { IMPORT_KIND_ENTITY, IMPORT_KIND_LABELS, keysOf, optionsOf } from "../labels.ts";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { ImportKind, ImportResult } from "../types.ts";

function ProblemsTable({ problems }: { problems: ErrorDetail[] }) {
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table striped aria-label="Problems found" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Row</Table.Th>
            <Table.Th>Column</Table.Th>
            <Table.Th>Problem</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one row may have several problems in one column
            <Table.Tr key={i}>
              <Table.Td>{p.row ?? "—"}</Table.Td>
              <Table.Td>{p.field || "—"}</Table.Td>
              <Table.Td>{p.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function PreviewTable({ result }: { result: ImportResult }) {
  const columns = [...new Set(result.preview.flatMap((r) => Object.keys(r)))];
  const badRows = new Set(result.errors.map((e) => e.row));
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table aria-label="Preview of the file" fz="sm" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Row</Table.Th>
            {columns.map((c) => (
              <Table.Th key={c}>{c}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.preview.map((row, i) => {
            const rowNumber = i + 2;
            return (
              <Table.Tr key={rowNumber} bg={badRows.has(rowNumber) ? "red.0" : undefined}>
                <Table.Td fw={badRows.has(rowNumber) ? 700 : undefined}>{rowNumber}</Table.Td>
                {columns.map((c) => (
                  <Table.Td key={c}>{row[c]}</Table.Td>
                ))}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ImportPage() {
  const session = useSession();
  const invalidate = useInvalidate();
  const importable = session.propertiesWhere("create", "import");
  const [propertyId, setPropertyId] = useState<string | null>(
    importable.find((p) => p.id === session.propertyId)?.id ?? importable[0]?.id ?? null,
  );
  const [kind, setKind] = useState<ImportKind>("units");
  const [csv, setCsv] = useState("");
  const [checked, setChecked] = useState<{
    result: ImportResult;
    csv: string;
    kind: ImportKind;
    propertyId: string;
  } | null>(null);
  const [problems, setProblems] = useState<ErrorDetail[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const run = useMutation({
    mutationFn: (dryRun: boolean) => api.post<ImportResult>(`properties/${propertyId}/import/${kind}`, { csv, dryRun }),
    onMutate: () => {
      setFailure(null);
      setProblems(null);
    },
    onSuccess: async (result) => {
      if (result.dryRun) {
        setChecked({ result, csv, kind, propertyId: propertyId ?? "" });
        setProblems(result.errors);
        return;
      }
      setChecked(null);
      setCsv("");
      notifications.show({ color: "green", title: "Imported", message: `${result.created} ${kind} imported.` });
      // why: the kind names its resource path; imports may also create buildings, key sets and badges
      await invalidate(kind, "buildings", "key-sets", "credentials");
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "import_failed") {
        setProblems(error.details);
      }
      setFailure(error.message);
    },
  });

  const upToDate =
    checked !== null && checked.csv === csv && checked.kind === kind && checked.propertyId === propertyId;
  const canImport = upToDate && checked.result.errors.length === 0 && checked.result.rowCount > 0;
  const exportable = session.properties.filter((p) =>
    keysOf(IMPORT_KIND_LABELS).some((k) => session.can("read", IMPORT_KIND_ENTITY[k], p.id)),
  );

  return (
    <Page title="Import and export" description="Bring units, keys and people in from a spreadsheet, or take them out.">
      {importable.length > 0 && (
        <Section title="Import from CSV">
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label="Into property"
                data={importable.map((p) => ({ value: p.id, label: p.name }))}
                value={propertyId}
                onChange={setPropertyId}
                allowDeselect={false}
              />
              <Stack gap={4}>
                <Text size="sm" fw={500} id="import-kind-label">
                  What the file holds
                </Text>
                <SegmentedControl
                  aria-labelledby="import-kind-label"
                  data={optionsOf(IMPORT_KIND_LABELS)}
                  value={kind}
                  onChange={(k) => setKind(k as ImportKind)}
                />
              </Stack>
            </SimpleGrid>
            <Text size="sm" c="dimmed">
              The first line names the columns.{" "}
              {propertyId && (
                <>
                  For the columns Keyward reads,{" "}
                  <a href={apiUrl(`properties/${propertyId}/export/${kind}`)} download>
                    download the current {IMPORT_KIND_LABELS[kind].toLowerCase()} export
                  </a>{" "}
                  and use it as a template.
                </>
              )}
            </Text>
            <Textarea
              label="CSV"
              description="Paste the file's text, or choose a file"
              autosize
              minRows={6}
              maxRows={16}
              styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
              value={csv}
              onChange={(e) => setCsv(e.currentTarget.value)}
            />
            <Group>
              <FileButton accept=".csv,text/csv,text/plain" onChange={(file) => file && void file.text().then(setCsv)}>
                {(props) => (
                  <Button variant="default" {...props}>
                    Choose a file…
                  </Button>
                )}
              </FileButton>
              <Button
                variant="light"
                onClick={() => run.mutate(true)}
                loading={run.isPending && run.variables}
                disabled={!csv.trim() || !propertyId}
              >
                Check (dry run)
              </Button>
              <Button onClick={() => run.mutate(false)} loading={run.isPending && !run.variables} disabled={!canImport}>
                {canImport ? `Import ${checked.result.rowCount} rows` : "Import"}
              </Button>
            </Group>
            {!canImport && csv.trim() && (
              <Text size="xs" c="dimmed">
                Import is possible once a dry run of this exact text finds no problems.
              </Text>
            )}
            {failure && !problems && <Alert color="red">{failure}</Alert>}
            {upToDate && checked.result.errors.length === 0 && (
              <Alert color="green" title="Ready to import">
                {checked.result.rowCount} rows checked; no problems found.
              </Alert>
            )}
            {problems && problems.length > 0 && (
              <Alert color="red" title={`${problems.length} problem(s); nothing was imported`}>
                <ProblemsTable problems={problems} />
              </Alert>
            )}
            {upToDate && checked.result.preview.length > 0 && (
              <>
                <Text size="sm" fw={600}>
                  Preview
                  {checked.result.rowCount > checked.result.preview.length
                    ? ` (first ${checked.result.preview.length} of ${checked.result.rowCount} rows)`
                    : ""}
                </Text>
                <PreviewTable result={checked.result} />
              </>
            )}
          </Stack>
        </Section>
      )}
      <Section title="Export to CSV">
        <Stack gap="xs">
          {exportable.map((p) => (
            <Group key={p.id} gap="xs">
              <Text size="sm" w={240} fw={500}>
                {p.name}
              </Text>
              {keysOf(IMPORT_KIND_LABELS)
                .filter((k) => session.can("read", IMPORT_KIND_ENTITY[k], p.id))
                .map((k) => (
                  <Button
                    key={k}
                    component="a"
                    size="xs"
                    variant="default"
                    href={apiUrl(`properties/${p.id}/export/${k}`)}
                    download
                  >
                    {IMPORT_KIND_LABELS[k]}
                  </Button>
                ))}
            </Group>
          ))}
        </Stack>
      </Section>
    </Page>
  );
}
