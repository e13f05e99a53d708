/**
 * The agent's journal: one SQLite file under the data directory holding the device identity, the last verified
 * snapshot, the chained event log (the outbox is its unacknowledged tail) and the local state a cabinet needs
 * offline (PIN lockouts, hook contents of the simulator, checkouts and returns the server has not yet reflected).
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CabinetEventType } from "@keyward/contracts/cabinet-sync";
import { type ChainedEvent, chainEvent, GENESIS_HASH } from "@keyward/domain/event-chain";
import { PIN_LOCKOUT_CLEAR, type PinLockoutState } from "@keyward/domain/identification";
import Database from "better-sqlite3";
import type { SimulatedHook } from "./simulated-driver.ts";

/** The journal's file name inside the data directory. */
export const JOURNAL_FILE = "agent.sqlite";

/** Who this agent is, as enrolment made it. The secret key never leaves this file. */
export interface Identity {
  deviceId: string;
  cabinetId: string;
  organizationId: string;
  propertyId: string;
  cabinetName: string;
  serverUrl: string;
  serverPublicKey: string;
  publicKey: string;
  secretKey: string;
  enrolledAt: string;
}

/** The snapshot in force: the server's canonical body and signature, verified before it was stored. */
export interface StoredSnapshot {
  version: number;
  body: string;
  signature: string;
  receivedAt: string;
  /** When the agent last learned from the server that this version is still the current one. */
  confirmedAt: string;
}

/** A key taken at this cabinet that the snapshot may not show yet. */
export interface LocalCheckout {
  checkoutId: string;
  keyId: string;
  personId: string | null;
  hook: number;
  outAt: string;
  dueAt: string | null;
  /** The `key.taken` event's sequence number. */
  seq: number;
}

/** A journal event with its upload state. */
export interface JournalEvent extends ChainedEvent {
  acknowledged: boolean;
}

/** A change to the local state committed in the same transaction as the event that explains it. */
export type LocalChange =
  | { kind: "checkout"; checkout: Omit<LocalCheckout, "seq"> }
  | { kind: "return"; keyId: string; hook: number }
  | { kind: "left_hook"; keyId: string; hook: number }
  /** A key lifted with nobody to hold it: the server opens a checkout without a holder. */
  | { kind: "removed"; keyId: string }
  | { kind: "command_executed"; commandId: string };

const SCHEMA = `
create table if not exists identity (
  id integer primary key check (id = 1),
  body text not null
);
create table if not exists snapshot (
  id integer primary key check (id = 1),
  version integer not null,
  body text not null,
  signature text not null,
  received_at text not null,
  confirmed_at text not null
);
create table if not exists events (
  seq integer primary key,
  prev_hash text not null,
  hash text not null,
  occurred_at text not null,
  type text not null,
  data text not null,
  acknowledged integer not null default 0
);
create index if not exists events_outbox on events (acknowledged, seq);
create table if not exists pin_lockouts (
  credential_id text not null,
  pin_hash text not null,
  failures integer not null,
  last_failure_at text,
  primary key (credential_id, pin_hash)
);
create table if not exists hooks (
  number integer primary key,
  module integer not null,
  tag text,
  label text
);
create table if not exists local_checkouts (
  key_id text primary key,
  checkout_id text not null,
  person_id text,
  hook integer not null,
  out_at text not null,
  due_at text,
  seq integer not null
);
create table if not exists local_returns (
  key_id text primary key,
  seq integer not null
);
create table if not exists left_hooks (
  key_id text primary key,
  hook integer not null
);
create table if not exists key_places (
  key_id text primary key,
  hook integer,
  seq integer not null
);
create table if not exists executed_commands (
  command_id text primary key,
  seq integer not null
);
create table if not exists flags (
  name text primary key,
  value text not null
);
`;

interface EventRow {
  seq: number;
  prev_hash: string;
  hash: string;
  occurred_at: string;
  type: string;
  data: string;
  acknowledged: number;
}

function toEvent(row: EventRow): JournalEvent {
  return {
    seq: row.seq,
    prevHash: row.prev_hash,
    hash: row.hash,
    occurredAt: row.occurred_at,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    acknowledged: row.acknowledged === 1,
  };
}

/** The journal of one agent. Every write is a durable commit (WAL, `synchronous = FULL`) before the call returns. */
export class Journal {
  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating if needed) the journal in `dataDir`; the file is readable by its owner only. */
  static open(dataDir: string): Journal {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, JOURNAL_FILE);
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    // why: a door release or a "done" screen follows the commit; a power cut after it must not lose the event
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    db.exec(SCHEMA);
    // why: the file holds the device's secret key
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      if (existsSync(path)) {
        chmodSync(path, 0o600);
      }
    }
    return new Journal(db);
  }

  close(): void {
    this.db.close();
  }

  // ------------------------------------------------------------ identity

  identity(): Identity | null {
    const row = this.db.prepare("select body from identity where id = 1").get() as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Identity) : null;
  }

  saveIdentity(identity: Identity): void {
    this.db
      .prepare("insert into identity (id, body) values (1, ?) on conflict (id) do update set body = excluded.body")
      .run(JSON.stringify(identity));
  }

  // ------------------------------------------------------------ snapshot

  snapshot(): StoredSnapshot | null {
    const row = this.db
      .prepare(
        "select version, body, signature, received_at as receivedAt, confirmed_at as confirmedAt from snapshot where id = 1",
      )
      .get() as StoredSnapshot | undefined;
    return row ?? null;
  }

  /**
   * Stores a verified snapshot and forgets what it now reflects: the returns, the key places, and the checkouts of keys
   * their holder no longer has out, whose events the server had acknowledged before the snapshot was asked for.
   * `keysOut` is each person's keys out in the snapshot; `anyOut` every key the snapshot shows out, held or not.
   */
  saveSnapshot(
    snapshot: StoredSnapshot,
    acknowledgedBefore: number,
    keysOut: ReadonlyMap<string, ReadonlySet<string>>,
    anyOut: ReadonlySet<string>,
  ): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `insert into snapshot (id, version, body, signature, received_at, confirmed_at) values (1, ?, ?, ?, ?, ?)
           on conflict (id) do update set version = excluded.version, body = excluded.body,
             signature = excluded.signature, received_at = excluded.received_at, confirmed_at = excluded.confirmed_at`,
        )
        .run(snapshot.version, snapshot.body, snapshot.signature, snapshot.receivedAt, snapshot.confirmedAt);
      const reflected = this.db
        .prepare("select key_id as keyId, person_id as personId from local_checkouts where seq <= ?")
        .all(acknowledgedBefore) as { keyId: string; personId: string | null }[];
      const drop = this.db.prepare("delete from local_checkouts where key_id = ?");
      for (const { keyId, personId } of reflected) {
        // why: a checkout the server holds stays here too, for its time out ("my keys"); one it closed goes. Each
        // person's own keys decide theirs: another person holding the key now does not keep this one open
        const held = personId === null ? anyOut : keysOut.get(personId);
        if (!held?.has(keyId)) {
          drop.run(keyId);
        }
      }
      this.db.prepare("delete from local_returns where seq <= ?").run(acknowledgedBefore);
      this.db.prepare("delete from key_places where seq <= ?").run(acknowledgedBefore);
    })();
  }

  /** Records that the server confirmed the stored snapshot is current at `at`. */
  confirmSnapshot(at: string): void {
    this.db.prepare("update snapshot set confirmed_at = ? where id = 1").run(at);
  }

  // ------------------------------------------------------------ events

  /** The chain head: the last event's seq and hash (0 and the genesis hash when empty). */
  head(): { seq: number; hash: string } {
    const row = this.db.prepare("select seq, hash from events order by seq desc limit 1").get() as
      | { seq: number; hash: string }
      | undefined;
    return row ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Chains and commits one event, with the local state change it explains, in one durable transaction.
   * why: callers act (release the door, light a hook, say "done") only after this returns, so nothing the cabinet
   * does goes unrecorded — a crash between the commit and the act leaves an event for an act that did not happen,
   * never an act without its event.
   */
  append(
    deviceId: string,
    occurredAt: string,
    type: CabinetEventType,
    data: Record<string, unknown>,
    changes: readonly LocalChange[] = [],
  ): JournalEvent {
    return this.db.transaction(() => {
      const event = chainEvent(deviceId, this.head(), { occurredAt, type, data });
      this.db
        .prepare(
          "insert into events (seq, prev_hash, hash, occurred_at, type, data, acknowledged) values (?, ?, ?, ?, ?, ?, 0)",
        )
        .run(event.seq, event.prevHash, event.hash, event.occurredAt, event.type, JSON.stringify(event.data));
      for (const change of changes) {
        this.applyChange(change, event.seq);
      }
      return { ...event, acknowledged: false };
    })();
  }

  private applyChange(change: LocalChange, seq: number): void {
    switch (change.kind) {
      case "checkout": {
        const c = change.checkout;
        this.setPlace(c.keyId, null, seq);
        this.db.prepare("delete from local_returns where key_id = ?").run(c.keyId);
        this.db
          .prepare(
            `insert into local_checkouts (key_id, checkout_id, person_id, hook, out_at, due_at, seq)
             values (?, ?, ?, ?, ?, ?, ?)
             on conflict (key_id) do update set checkout_id = excluded.checkout_id, person_id = excluded.person_id,
               hook = excluded.hook, out_at = excluded.out_at, due_at = excluded.due_at, seq = excluded.seq`,
          )
          .run(c.keyId, c.checkoutId, c.personId, c.hook, c.outAt, c.dueAt, seq);
        return;
      }
      case "return":
        this.setPlace(change.keyId, change.hook, seq);
        this.db.prepare("delete from local_checkouts where key_id = ?").run(change.keyId);
        this.db
          .prepare(
            "insert into local_returns (key_id, seq) values (?, ?) on conflict (key_id) do update set seq = excluded.seq",
          )
          .run(change.keyId, seq);
        return;
      case "removed":
        this.setPlace(change.keyId, null, seq);
        return;
      case "left_hook":
        this.db
          .prepare(
            "insert into left_hooks (key_id, hook) values (?, ?) on conflict (key_id) do update set hook = excluded.hook",
          )
          .run(change.keyId, change.hook);
        return;
      case "command_executed":
        this.db
          .prepare("insert into executed_commands (command_id, seq) values (?, ?) on conflict do nothing")
          .run(change.commandId, seq);
        return;
    }
  }

  private setPlace(keyId: string, hook: number | null, seq: number): void {
    this.db
      .prepare(
        `insert into key_places (key_id, hook, seq) values (?, ?, ?)
         on conflict (key_id) do update set hook = excluded.hook, seq = excluded.seq`,
      )
      .run(keyId, hook, seq);
  }

  /** Up to `limit` events from `fromSeq` on, in order, acknowledged or not. */
  eventsFrom(fromSeq: number, limit: number): JournalEvent[] {
    const rows = this.db
      .prepare("select * from events where seq >= ? order by seq limit ?")
      .all(fromSeq, limit) as EventRow[];
    return rows.map(toEvent);
  }

  /** The first unacknowledged event's seq, or null when the outbox is empty. */
  outboxStart(): number | null {
    const row = this.db.prepare("select min(seq) as seq from events where acknowledged = 0").get() as {
      seq: number | null;
    };
    return row.seq;
  }

  /** How many events await the server's acknowledgement. */
  outboxSize(): number {
    return (this.db.prepare("select count(*) as n from events where acknowledged = 0").get() as { n: number }).n;
  }

  /** The highest seq up to which every event is acknowledged. */
  acknowledgedThrough(): number {
    const start = this.outboxStart();
    return start === null ? this.head().seq : start - 1;
  }

  /** Marks every event up to `seq` acknowledged. */
  acknowledge(seq: number): void {
    this.db.prepare("update events set acknowledged = 1 where seq <= ? and acknowledged = 0").run(seq);
  }

  // ------------------------------------------------------------ local state

  /** A PIN credential's lockout; a PIN hash never seen (a new or reset PIN) starts clean. */
  pinLockout(credentialId: string, pinHash: string): PinLockoutState {
    const row = this.db
      .prepare(
        "select failures, last_failure_at as lastFailureAt from pin_lockouts where credential_id = ? and pin_hash = ?",
      )
      .get(credentialId, pinHash) as PinLockoutState | undefined;
    return row ?? PIN_LOCKOUT_CLEAR;
  }

  savePinLockout(credentialId: string, pinHash: string, state: PinLockoutState): void {
    this.db
      .prepare(
        `insert into pin_lockouts (credential_id, pin_hash, failures, last_failure_at) values (?, ?, ?, ?)
         on conflict (credential_id, pin_hash) do update set failures = excluded.failures,
           last_failure_at = excluded.last_failure_at`,
      )
      .run(credentialId, pinHash, state.failures, state.lastFailureAt);
  }

  /** The simulator's hooks as last saved, or null before the first save. */
  hooks(): SimulatedHook[] | null {
    const rows = this.db
      .prepare("select number, module, tag, label from hooks order by number")
      .all() as SimulatedHook[];
    return rows.length === 0 ? null : rows;
  }

  saveHooks(hooks: readonly SimulatedHook[]): void {
    this.db.transaction(() => {
      this.db.prepare("delete from hooks").run();
      const insert = this.db.prepare("insert into hooks (number, module, tag, label) values (?, ?, ?, ?)");
      for (const h of hooks) {
        insert.run(h.number, h.module, h.tag, h.label);
      }
    })();
  }

  localCheckouts(): LocalCheckout[] {
    return this.db
      .prepare(
        `select checkout_id as checkoutId, key_id as keyId, person_id as personId, hook, out_at as outAt,
           due_at as dueAt, seq from local_checkouts order by seq`,
      )
      .all() as LocalCheckout[];
  }

  /** Keys returned here that the snapshot may still show out. */
  localReturns(): Set<string> {
    const rows = this.db.prepare("select key_id as keyId from local_returns").all() as { keyId: string }[];
    return new Set(rows.map((r) => r.keyId));
  }

  /**
   * Where this journal's events since the snapshot put a key: a hook of this cabinet, null (taken or removed), or
   * undefined when no event since moved it (the snapshot then knows where it is).
   */
  keyPlace(keyId: string): number | null | undefined {
    const row = this.db.prepare("select hook from key_places where key_id = ?").get(keyId) as
      | { hook: number | null }
      | undefined;
    return row === undefined ? undefined : row.hook;
  }

  /** The hook a key was last lifted from here, if it ever was. */
  leftHook(keyId: string): number | null {
    const row = this.db.prepare("select hook from left_hooks where key_id = ?").get(keyId) as
      | { hook: number }
      | undefined;
    return row?.hook ?? null;
  }

  commandExecuted(commandId: string): boolean {
    return this.db.prepare("select 1 from executed_commands where command_id = ?").get(commandId) !== undefined;
  }

  flag(name: string): string | null {
    const row = this.db.prepare("select value from flags where name = ?").get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setFlag(name: string, value: string | null): void {
    if (value === null) {
      this.db.prepare("delete from flags where name = ?").run(name);
    } else {
      this.db
        .prepare(
          "insert into flags (name, value) values (?, ?) on conflict (name) do update set value = excluded.value",
        )
        .run(name, value);
    }
  }
}
