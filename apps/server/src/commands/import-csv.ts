/**
 * CSV import of a property's units, keys and people: all-or-nothing, every problem reported by row and column.
 * Export writes the same columns, so an export can be edited and imported elsewhere.
 */
import type { ImportKind, ImportResult } from "@keyward/contracts/auth";
import { KeyCreate, PersonCreate, UnitCreate } from "@keyward/contracts/resources";
import type { Db, Executor, Tx } from "@keyward/db/connect";
import { can } from "@keyward/domain/permissions";
import { parse } from "csv-parse/sync";
import type { z } from "zod";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { ApiError, forbidden, importFailed, invalidInput, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { authorize, inTransaction } from "../http/pipeline.ts";
import type { Notifier } from "../live/notifier.ts";
import type { CommandContext } from "../resources/definition.ts";
import { buildings, keySets, keys, people, units } from "../resources/definitions.ts";
import { findInOrganization, loose } from "../resources/records.ts";
import { createRecord } from "./create-record.ts";
import { issueCredential } from "./issue-credential.ts";

/** The columns of each kind, in file order. The first ones listed are required. */
export const CSV_COLUMNS: Record<ImportKind, { required: string[]; optional: string[] }> = {
  units: { required: ["number"], optional: ["building", "kind", "occupancy", "floor", "notes"] },
  keys: { required: ["label", "tag"], optional: ["kind", "unit", "key_set", "status", "restricted"] },
  people: {
    required: ["first_name", "last_name"],
    optional: ["kind", "employee_number", "company", "email", "phone", "start_date", "end_date", "badge"],
  },
};

/** CSV column → create-schema field, per kind. */
const FIELD_OF: Record<string, string> = {
  number: "number",
  building: "buildingId",
  kind: "kind",
  occupancy: "occupancy",
  floor: "floor",
  notes: "notes",
  label: "label",
  tag: "tagCode",
  unit: "unitId",
  key_set: "keySetId",
  status: "status",
  restricted: "restricted",
  first_name: "firstName",
  last_name: "lastName",
  employee_number: "employeeNumber",
  company: "company",
  email: "email",
  phone: "phone",
  start_date: "startDate",
  end_date: "endDate",
  badge: "badgeNumber",
};
const COLUMN_OF = Object.fromEntries(Object.entries(FIELD_OF).map(([c, f]) => [f, c]));

type RowError = ImportResult["errors"][number];

// why: a spreadsheet runs a cell that starts with = + - @ as a formula; exports guard such cells with a leading
// apostrophe (OWASP "CSV injection") and imports take it off again, so a file survives the round trip
const FORMULA_START = /^[=+\-@\t\r]/;
export const guard = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);
const unguard = (value: string) =>
  value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;

/** A data row of the file, with the line it ends on (what a person sees in an editor, blank lines included). */
interface CsvRecord {
  line: number;
  values: Record<string, string>;
}

function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // why: csv-parse's types do not model `info: true`, which wraps each record with where it was read
    rows = parse(text.replace(/^\uFEFF/, ""), {
      skip_empty_lines: true,
      relax_column_count: false,
      trim: true,
      info: true,
    }) as unknown as typeof rows;
  } catch (error) {
    throw invalidInput("csv", `the file is not valid CSV (${error instanceof Error ? error.message : String(error)})`);
  }
  const [headerRow, ...data] = rows;
  if (!headerRow) {
    throw invalidInput("csv", "the file is empty; the first line must name the columns");
  }
  const header = headerRow.record.map((h) => h.trim().toLowerCase().replace(/\s+/g, "_"));
  return {
    header,
    records: data.map(({ record, info }) => ({
      line: info.lines,
      values: Object.fromEntries(header.map((h, i) => [h, unguard(record[i] ?? "")])),
    })),
  };
}

function checkHeader(kind: ImportKind, header: string[]): RowError[] {
  const { required, optional } = CSV_COLUMNS[kind];
  const errors: RowError[] = [];
  for (const column of required) {
    if (!header.includes(column)) {
      errors.push({ row: 1, field: column, message: `the required column "${column}" is missing` });
    }
  }
  for (const column of header) {
    if (!required.includes(column) && !optional.includes(column)) {
      errors.push({ row: 1, field: column, message: `unknown column; use ${[...required, ...optional].join(", ")}` });
    }
  }
  return errors;
}

function issuesToErrors(row: number, issues: z.core.$ZodIssue[]): RowError[] {
  return issues.map((issue) => {
    const field = String(issue.path[0] ?? "");
    return { row, field: COLUMN_OF[field] ?? field, message: issue.message };
  });
}

const blankToNull = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

async function lookupId(
  tx: Executor,
  table: "buildings" | "units" | "key_sets",
  propertyId: string,
  column: "name" | "number",
  value: string,
): Promise<string | undefined> {
  const row = await loose(tx)
    .selectFrom(table)
    .select("id")
    .where("property_id", "=", propertyId)
    .where(column, "=", value)
    .executeTakeFirst();
  return row ? String(row.id) : undefined;
}

/**
 * Imports a CSV file into a property.
 * @param dryRun validate and preview only; nothing is written.
 * @throws import_failed (422) listing every problem, with nothing written.
 */
export async function importCsv(
  ctx: CommandContext,
  propertyId: string,
  kind: ImportKind,
  csv: string,
  dryRun: boolean,
): Promise<ImportResult> {
  const organizationId = ctx.actor.organizationId;
  const property = await findInOrganization(ctx.tx, "properties", organizationId, propertyId);
  if (!property) {
    throw notFound("property");
  }
  // why: the property is the record addressed — one the actor can see but may not import into answers 403, not 404
  authorize(ctx.actor, "read", { entity: "property", organizationId, propertyId }, "property");
  const entity = kind === "units" ? "unit" : kind === "keys" ? "key" : "person";
  const mayCreate = (e: "import" | typeof entity) =>
    can(ctx.actor, "create", { entity: e, organizationId, propertyId });
  if (!mayCreate("import") || !mayCreate(entity)) {
    throw forbidden(`import ${kind} at this property`);
  }

  const { header, records } = parseCsv(csv);
  const errors = checkHeader(kind, header);
  if (records.length === 0) {
    errors.push({ row: 2, field: header[0] ?? "", message: "the file has a header but no rows" });
  }
  if (errors.length > 0) {
    if (dryRun) {
      return {
        kind,
        dryRun,
        rowCount: records.length,
        created: 0,
        preview: records.slice(0, 20).map((r) => r.values),
        errors,
      };
    }
    throw importFailed(errors);
  }

  const importCtx: CommandContext = ctx;
  const createdIds = new Map<string, string>();
  let created = 0;
  for (const { line: rowNumber, values: record } of records) {
    try {
      if (kind === "units") {
        let buildingId: string | undefined;
        const buildingName = blankToNull(record.building);
        if (buildingName) {
          const key = `building:${buildingName}`;
          buildingId = createdIds.get(key) ?? (await lookupId(ctx.tx, "buildings", propertyId, "name", buildingName));
          if (!buildingId) {
            const b = await createRecord(importCtx, buildings, { propertyId, name: buildingName });
            buildingId = String(b.id);
            createdIds.set(key, buildingId);
          }
        }
        const parsed = UnitCreate.safeParse({
          propertyId,
          number: record.number,
          buildingId,
          kind: blankToNull(record.kind),
          occupancy: blankToNull(record.occupancy),
          floor: blankToNull(record.floor),
          notes: blankToNull(record.notes),
        });
        if (!parsed.success) {
          errors.push(...issuesToErrors(rowNumber, parsed.error.issues));
          continue;
        }
        await createRecord(importCtx, units, parsed.data);
      } else if (kind === "keys") {
        const unitNumber = blankToNull(record.unit);
        const unitId = unitNumber ? await lookupId(ctx.tx, "units", propertyId, "number", unitNumber) : undefined;
        if (unitNumber && !unitId) {
          errors.push({ row: rowNumber, field: "unit", message: `no unit ${unitNumber} at this property` });
          continue;
        }
        let keySetId: string | undefined;
        const setName = blankToNull(record.key_set);
        if (setName) {
          const key = `set:${setName}`;
          keySetId = createdIds.get(key) ?? (await lookupId(ctx.tx, "key_sets", propertyId, "name", setName));
          if (!keySetId) {
            const s = await createRecord(importCtx, keySets, { propertyId, name: setName, unitId: unitId ?? null });
            keySetId = String(s.id);
            createdIds.set(key, keySetId);
          }
        }
        const restricted = blankToNull(record.restricted);
        if (restricted && !/^(true|false|yes|no|1|0)$/i.test(restricted)) {
          errors.push({ row: rowNumber, field: "restricted", message: "use yes or no" });
          continue;
        }
        const parsed = KeyCreate.safeParse({
          propertyId,
          label: record.label,
          tagCode: record.tag,
          kind: blankToNull(record.kind),
          unitId,
          keySetId,
          status: blankToNull(record.status),
          restricted: restricted ? /^(true|yes|1)$/i.test(restricted) : undefined,
        });
        if (!parsed.success) {
          errors.push(...issuesToErrors(rowNumber, parsed.error.issues));
          continue;
        }
        await createRecord(importCtx, keys, parsed.data);
      } else {
        const parsed = PersonCreate.safeParse({
          homePropertyId: propertyId,
          firstName: record.first_name,
          lastName: record.last_name,
          kind: blankToNull(record.kind),
          employeeNumber: blankToNull(record.employee_number),
          company: blankToNull(record.company),
          email: blankToNull(record.email),
          phone: blankToNull(record.phone),
          startDate: blankToNull(record.start_date),
          endDate: blankToNull(record.end_date),
        });
        if (!parsed.success) {
          errors.push(...issuesToErrors(rowNumber, parsed.error.issues));
          continue;
        }
        const person = await createRecord(importCtx, people, parsed.data);
        const badge = blankToNull(record.badge);
        if (badge) {
          await issueCredential(importCtx, String(person.id), { kind: "badge", badgeNumber: badge });
        }
      }
      created++;
    } catch (error) {
      if (error instanceof ApiError) {
        errors.push({
          row: rowNumber,
          field: COLUMN_OF[error.field ?? ""] ?? error.field ?? "",
          message: error.message,
        });
        continue;
      }
      throw error;
    }
  }
  if (errors.length > 0 && !dryRun) {
    throw importFailed(errors);
  }
  const result: ImportResult = {
    kind,
    dryRun,
    rowCount: records.length,
    created: dryRun ? 0 : created,
    preview: records.slice(0, 20).map((r) => r.values),
    errors,
  };
  if (!dryRun) {
    await recordEvent(ctx.tx, {
      organizationId,
      propertyId,
      action: "import.completed",
      entityType: "property",
      entityId: propertyId,
      actor: snapshotOf(ctx.actor),
      after: { kind, rows: records.length, created },
      source: "import",
      now: ctx.now,
    });
  }
  return result;
}

/** Carries a dry run's result out of its transaction, which then rolls back. */
class DryRunDone {
  constructor(readonly result: ImportResult) {}
}

/**
 * Runs an import in its own transaction; a dry run exercises every check the real import runs, then rolls back.
 * @param notifier tells running cabinet streams of the new snapshot version once committed (absent: nobody listens).
 */
export async function runImport(
  db: Db,
  actor: AuthenticatedActor,
  now: Date,
  input: { propertyId: string; kind: ImportKind; csv: string; dryRun: boolean },
  notifier?: Notifier,
): Promise<ImportResult> {
  const work = async (tx: Tx) => {
    const result = await importCsv({ tx, actor, now }, input.propertyId, input.kind, input.csv, input.dryRun);
    if (input.dryRun) {
      throw new DryRunDone(result);
    }
    return result;
  };
  try {
    // why: imported people, keys and units are in cabinets' snapshots; the streams hear of it once committed
    return await (notifier ? inTransaction({ db, notifier }, work) : db.transaction().execute(work));
  } catch (error) {
    if (error instanceof DryRunDone) {
      return error.result;
    }
    throw error;
  }
}
