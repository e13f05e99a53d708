/**
 * The backup file: gzip'd JSON lines. A header, then per table a `{table, columns}` line followed by one array of
 * values per row, then a trailer with each table's row count and the SHA-256 of every byte before it, so a file cut
 * short or altered anywhere is refused. Values are written the same way whichever dialect wrote them: integers as
 * numbers (as decimal strings past 2^53), booleans as true/false, bytes as `{"$base64": "…"}`, JSON documents as
 * their canonical text, everything else as the application reads it (ISO instants, YYYY-MM-DD dates).
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Dialect } from "@keyward/db/migrations";
import { canonicalJson } from "@keyward/domain/event-chain";
import type { ColumnInfo } from "./database-catalog.ts";

export const BACKUP_FORMAT = "keyward-backup";
export const BACKUP_VERSION = 1;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  dialect: Dialect;
  /** The migrations applied to the database backed up, in order. */
  migrations: string[];
}

export interface BackupTrailer {
  end: true;
  /** Rows written per table. */
  tables: Record<string, number>;
  /** SHA-256 (hex) of every byte of the file's lines before this one, newlines included. */
  sha256: string;
}

/** One value as the file holds it. */
export type FileValue = string | number | boolean | null | { $base64: string };

/** What reading a backup yields, in file order; `end` comes only once the whole file has checked out. */
export type BackupItem =
  | { kind: "header"; header: BackupHeader }
  | { kind: "table"; table: string; columns: string[] }
  | { kind: "row"; values: FileValue[] }
  | { kind: "end"; trailer: BackupTrailer };

/** Serialises file lines and keeps the running hash the trailer carries. */
export class LineWriter {
  private readonly hash: Hash = createHash("sha256");

  /** One line (with its newline), counted into the hash. */
  line(value: unknown): string {
    const text = `${JSON.stringify(value)}\n`;
    this.hash.update(text);
    return text;
  }

  /** The trailer line: it closes the file and is not itself hashed. */
  trailer(tables: Record<string, number>): string {
    const trailer: BackupTrailer = { end: true, tables, sha256: this.hash.digest("hex") };
    return `${JSON.stringify(trailer)}\n`;
  }
}

function integerValue(value: string | number | bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

/** A value as read from either dialect, in the form the file holds. */
export function encodeValue(value: unknown, column: ColumnInfo): FileValue {
  if (value === null || value === undefined) {
    return null;
  }
  if (value instanceof Uint8Array) {
    return { $base64: Buffer.from(value).toString("base64") };
  }
  if (column.kind === "boolean" && (typeof value === "number" || typeof value === "boolean")) {
    return value === true || value === 1;
  }
  // why: jsonb hands back its own spacing and key order; SQLite keeps JSON as the canonical (RFC 8785) text the audit
  // log hashes, so the file carries that form and a backup of either dialect restores hashable text on SQLite
  if (column.kind === "json" && typeof value === "string") {
    return canonicalJson(JSON.parse(value));
  }
  if (typeof value === "bigint") {
    return integerValue(value);
  }
  // why: integers are read as text where the driver would round them (PostgreSQL int8; SQLite past 2^53)
  if (column.kind === "integer" && typeof value === "string" && /^-?\d+$/.test(value)) {
    return integerValue(value);
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return value;
  }
  throw new Error(`column ${column.name} holds a value a backup cannot carry (${typeof value})`);
}

/**
 * A file value as the target dialect takes it for a column. better-sqlite3 binds no booleans, so SQLite gets 1/0;
 * PostgreSQL gets true/false for boolean columns and 1/0 for integer ones.
 */
export function decodeValue(value: FileValue, column: ColumnInfo, dialect: Dialect): unknown {
  if (value !== null && typeof value === "object") {
    return Buffer.from(value.$base64, "base64");
  }
  if (dialect === "postgres" && column.kind === "boolean" && typeof value === "number") {
    return value !== 0;
  }
  if (typeof value === "boolean" && !(dialect === "postgres" && column.kind === "boolean")) {
    return value ? 1 : 0;
  }
  return value;
}

/** A backup that cannot be restored: the message says why, and that nothing was written. */
export class BackupRefused extends Error {}

/** A refusal naming the file and why, saying nothing was written. */
export function refuse(file: string, why: string): BackupRefused {
  return new BackupRefused(`${file}: ${why}; nothing was restored`);
}

/** The file's lines, without their newlines, hashed as they go past; the last line must end with a newline. */
async function* rawLines(file: string, hash: Hash): AsyncGenerator<{ text: string; bytes: Buffer }> {
  let pending: Buffer = Buffer.alloc(0);
  const gunzip = createGunzip();
  // why: pipeline (unlike pipe) hands a read error, a missing file say, on to the stream being read
  pipeline(createReadStream(file), gunzip, () => {});
  try {
    for await (const chunk of gunzip) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      let start = 0;
      let newline = pending.indexOf(0x0a, start);
      while (newline !== -1) {
        const bytes = pending.subarray(start, newline + 1);
        yield { text: bytes.subarray(0, bytes.length - 1).toString("utf8"), bytes };
        hash.update(bytes);
        start = newline + 1;
        newline = pending.indexOf(0x0a, start);
      }
      pending = pending.subarray(start);
    }
  } catch (error) {
    if (error instanceof BackupRefused) {
      throw error;
    }
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") {
      throw new BackupRefused(`${file}: no such file`);
    }
    throw refuse(file, `the file is damaged or incomplete (${error instanceof Error ? error.message : String(error)})`);
  }
  if (pending.length > 0) {
    throw refuse(file, "the file ends in the middle of a line (it was cut short)");
  }
}

function parseLine(file: string, text: string, lineNumber: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw refuse(file, `line ${lineNumber} is not JSON (the file was altered)`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function header(file: string, line: unknown): BackupHeader {
  if (!isRecord(line) || line.format !== BACKUP_FORMAT) {
    throw refuse(file, "this is not a Keyward backup");
  }
  if (line.version !== BACKUP_VERSION) {
    throw refuse(file, `the backup's format version ${String(line.version)} is not one this Keyward reads`);
  }
  const migrations = line.migrations;
  if (
    typeof line.createdAt !== "string" ||
    (line.dialect !== "sqlite" && line.dialect !== "postgres") ||
    !Array.isArray(migrations) ||
    !migrations.every((m) => typeof m === "string")
  ) {
    throw refuse(file, "the backup's header is malformed");
  }
  return {
    format: BACKUP_FORMAT,
    version: line.version,
    createdAt: line.createdAt,
    dialect: line.dialect,
    migrations: migrations as string[],
  };
}

function isFileValue(value: unknown): value is FileValue {
  return (
    value === null ||
    ["string", "number", "boolean"].includes(typeof value) ||
    (isRecord(value) && Object.keys(value).length === 1 && typeof value.$base64 === "string")
  );
}

/**
 * Reads a backup in order and checks it as it goes: the header first, rows only under a table line and as wide as
 * its columns, the trailer last with the row counts seen and the hash of every byte before it. The `end` item is
 * yielded only after all of that held; a consumer that commits on `end` never commits a damaged file.
 */
export async function* readBackup(file: string): AsyncGenerator<BackupItem> {
  const hash = createHash("sha256");
  const counts = new Map<string, number>();
  let lineNumber = 0;
  let sawHeader = false;
  let current: { table: string; width: number } | null = null;
  let trailer: BackupTrailer | null = null;
  for await (const { text } of rawLines(file, hash)) {
    lineNumber++;
    const line = parseLine(file, text, lineNumber);
    if (trailer) {
      throw refuse(file, `line ${lineNumber} follows the trailer (the file was altered)`);
    }
    if (!sawHeader) {
      sawHeader = true;
      yield { kind: "header", header: header(file, line) };
    } else if (Array.isArray(line)) {
      if (!current || line.length !== current.width || !line.every(isFileValue)) {
        throw refuse(file, `line ${lineNumber} is not a row of the table before it (the file was altered)`);
      }
      counts.set(current.table, (counts.get(current.table) ?? 0) + 1);
      yield { kind: "row", values: line };
    } else if (isRecord(line) && typeof line.table === "string" && Array.isArray(line.columns)) {
      const columns = line.columns.filter((c): c is string => typeof c === "string");
      if (columns.length !== line.columns.length || counts.has(line.table)) {
        throw refuse(file, `line ${lineNumber} names a table malformed or twice (the file was altered)`);
      }
      current = { table: line.table, width: columns.length };
      counts.set(line.table, 0);
      yield { kind: "table", table: line.table, columns };
    } else if (isRecord(line) && line.end === true) {
      // why: the trailer's hash covers the lines before it; rawLines adds a line to the hash only after yielding it
      const expected = hash.copy().digest("hex");
      if (line.sha256 !== expected) {
        throw refuse(file, "its SHA-256 does not match its trailer (the file was altered)");
      }
      const claimed = isRecord(line.tables) ? line.tables : {};
      const same =
        Object.keys(claimed).length === counts.size && [...counts].every(([table, n]) => claimed[table] === n);
      if (!same) {
        throw refuse(file, "its row counts do not match its trailer (the file was altered)");
      }
      trailer = { end: true, tables: Object.fromEntries(counts), sha256: expected };
    } else {
      throw refuse(file, `line ${lineNumber} is not part of a backup (the file was altered)`);
    }
  }
  // why: only now has gzip read its own checksum at the end of the file, and nothing can follow the trailer
  if (!trailer) {
    throw refuse(file, sawHeader ? "it has no trailer (it was cut short)" : "it is empty");
  }
  yield { kind: "end", trailer };
}
