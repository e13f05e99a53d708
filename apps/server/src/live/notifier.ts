/**
 * Telling running streams that something changed: a cabinet's snapshot version, a command for a cabinet, or a live
 * message for the dashboard. On SQLite there is one server process and an in-process emitter suffices; on PostgreSQL
 * several processes share the database, so notifications travel through LISTEN/NOTIFY and every process (the
 * publishing one included) hears them from its own listening connection.
 */
import { EventEmitter } from "node:events";
import type { LiveMessage } from "@keyward/contracts/custody";
import type { DatabaseHandle } from "@keyward/db/connect";
import { sql } from "kysely";
import pg from "pg";

/** One notification. Small by design: PostgreSQL caps a payload at 8000 bytes. */
export type Notification =
  /** Snapshot versions moved: of the properties listed, or (null) of any property of the organization. */
  | { channel: "snapshot"; organizationId: string; propertyIds: string[] | null }
  | { channel: "command"; organizationId: string; cabinetId: string; commandId: string }
  | { channel: "live"; organizationId: string; message: LiveMessage }
  /** Events were queued for the organization's audit log. */
  | { channel: "audit"; organizationId: string }
  /** Alert messages were queued for the organization: a delivery worker sends them now rather than on its next pass. */
  | { channel: "alerts"; organizationId: string }
  /** Delivered locally after the listener reconnected: anything may have been missed, re-read current state. */
  | { channel: "resync" };

export interface Notifier {
  /** Sends notifications to every subscriber of every process. Never throws: a lost notification only delays. */
  publish(notifications: readonly Notification[]): Promise<void>;
  /** Listens; returns the function that stops listening. */
  subscribe(listener: (notification: Notification) => void): () => void;
  close(): Promise<void>;
}

/** The PostgreSQL channel every Keyward process listens on. */
export const NOTIFY_CHANNEL = "keyward_live";

class LocalFanOut {
  private readonly emitter = new EventEmitter();
  constructor() {
    // why: every open stream subscribes; hundreds of cabinets are normal, not a leak
    this.emitter.setMaxListeners(0);
  }
  emit(notification: Notification): void {
    this.emitter.emit("n", notification);
  }
  subscribe(listener: (notification: Notification) => void): () => void {
    this.emitter.on("n", listener);
    return () => this.emitter.off("n", listener);
  }
}

/** The in-process notifier (SQLite: one server process). */
export function memoryNotifier(): Notifier {
  const local = new LocalFanOut();
  return {
    publish: async (notifications) => {
      for (const n of notifications) {
        local.emit(n);
      }
    },
    subscribe: (listener) => local.subscribe(listener),
    close: async () => {},
  };
}

/**
 * LISTEN/NOTIFY over a dedicated connection, reconnected after any error (a restart, a failover, an idle cut) with a
 * growing delay; after a reconnection subscribers get `resync`. Publishing goes through the handle's pool.
 */
export async function postgresNotifier(handle: DatabaseHandle, url: string): Promise<Notifier> {
  const local = new LocalFanOut();
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 250;
  let timer: NodeJS.Timeout | null = null;

  const connect = async (reconnecting: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (message) => {
      if (message.channel !== NOTIFY_CHANNEL || !message.payload) {
        return;
      }
      try {
        local.emit(JSON.parse(message.payload) as Notification);
      } catch {
        process.emitWarning("Ignored a malformed live notification", { code: "KEYWARD_NOTIFY" });
      }
    });
    c.on("error", (error) => {
      process.emitWarning(`Live notification connection lost: ${error.message}`, { code: "KEYWARD_NOTIFY" });
      scheduleReconnect(c);
    });
    c.on("end", () => scheduleReconnect(c));
    try {
      await c.connect();
      await c.query(`listen ${NOTIFY_CHANNEL}`);
    } catch (error) {
      if (!reconnecting) {
        // why: a first connection that fails fails the start-up; no retry loop may outlive it
        closed = true;
        await c.end().catch(() => {});
        throw error;
      }
      scheduleReconnect(c);
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    retryMs = 250;
    if (reconnecting) {
      local.emit({ channel: "resync" });
    }
  };

  const scheduleReconnect = (failed: pg.Client): void => {
    if (closed || timer || (client !== null && client !== failed)) {
      return;
    }
    client = null;
    failed.end().catch(() => {});
    timer = setTimeout(() => {
      timer = null;
      void connect(true);
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  // why: listening before the server answers, so no change made after start-up can go unheard
  await connect(false);

  return {
    publish: async (notifications) => {
      for (const n of notifications) {
        try {
          await sql`select pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify(n)})`.execute(handle.db);
        } catch (error) {
          process.emitWarning(`Could not send a live notification: ${String(error)}`, { code: "KEYWARD_NOTIFY" });
        }
      }
    },
    subscribe: (listener) => local.subscribe(listener),
    close: async () => {
      closed = true;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

/**
 * The notifier for a database: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite.
 * @param databaseUrl the PostgreSQL URL the handle was opened with (the listener needs its own connection).
 */
export async function createNotifier(handle: DatabaseHandle, databaseUrl: string | undefined): Promise<Notifier> {
  if (handle.dialect === "postgres" && databaseUrl) {
    return postgresNotifier(handle, databaseUrl);
  }
  return memoryNotifier();
}
