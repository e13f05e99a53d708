/**
 * The server's Ed25519 key, which signs every snapshot. Generated once, on first need, by whichever process gets
 * there first: each process inserts a fresh pair if none exists, then all read the one that won.
 *
 * why the private key sits in the database: every server process (N of them on PostgreSQL) must sign with the same
 * key, and the database is the one thing they share; a backup then restores a server cabinets still trust. The
 * database is already the system of record that a cabinet's permissions come from, so the key adds no new trust in
 * it. A hardware key or a secrets manager can replace this table without changing the protocol.
 */
import type { Executor } from "@keyward/db/connect";
import { generateSigningKeyPair, sha256Hex } from "@keyward/domain/event-chain";

const KEY_ID = "snapshot-signing";

export interface ServerKey {
  publicKey: string;
  secretKey: string;
}

const loaded = new WeakMap<object, Promise<ServerKey>>();

async function loadOrCreate(db: Executor, now: Date): Promise<ServerKey> {
  const fresh = generateSigningKeyPair();
  await db
    .insertInto("server_keys")
    .values({
      id: KEY_ID,
      algorithm: "ed25519",
      public_key: fresh.publicKey,
      private_key: fresh.secretKey,
      created_at: now.toISOString(),
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  const row = await db
    .selectFrom("server_keys")
    .select(["public_key", "private_key"])
    .where("id", "=", KEY_ID)
    .executeTakeFirstOrThrow();
  return { publicKey: row.public_key, secretKey: row.private_key };
}

/** The signing key of this database (cached per database once read). */
export function serverKey(db: Executor, now: Date): Promise<ServerKey> {
  let key = loaded.get(db);
  if (!key) {
    key = loadOrCreate(db, now);
    // why: a failed first read (the database briefly away) must not be remembered for the life of the process
    key.catch(() => loaded.delete(db));
    loaded.set(db, key);
  }
  return key;
}

/**
 * The salt of an organization's badge digests, derived from the server's secret: random to anyone without the key,
 * stable across snapshots and processes, and nothing to store or leak through the organization's settings.
 */
export function badgeSaltOf(key: ServerKey, organizationId: string): string {
  return sha256Hex(`keyward-badge-salt/v1\n${key.secretKey}\n${organizationId}`).slice(0, 32);
}
