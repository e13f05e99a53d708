/**
 * Job leases: with several server processes on one PostgreSQL, a scheduled job runs in the process that holds its
 * lease. A lease is taken when free or expired, renewed by its holder, and lapses on its own if the holder dies.
 */
import type { Executor } from "@keyward/db/connect";

/** Takes or renews the lease `name` for `holder`; true when this holder has it until `now + ttlMs`. */
export async function acquireLease(
  db: Executor,
  name: string,
  holder: string,
  ttlMs: number,
  now: Date,
): Promise<boolean> {
  const iso = now.toISOString();
  const until = new Date(now.getTime() + ttlMs).toISOString();
  await db
    .insertInto("job_leases")
    .values({ name, holder, expires_at: until, last_run_at: null })
    .onConflict((oc) =>
      oc
        .column("name")
        .doUpdateSet({ holder, expires_at: until })
        .where((eb) => eb.or([eb("job_leases.expires_at", "<", iso), eb("job_leases.holder", "=", holder)])),
    )
    .execute();
  const row = await db.selectFrom("job_leases").select("holder").where("name", "=", name).executeTakeFirst();
  return row?.holder === holder;
}

/** Notes that the holder ran the job now (shown by health checks). */
export async function markLeaseRun(db: Executor, name: string, holder: string, now: Date): Promise<void> {
  await db
    .updateTable("job_leases")
    .set({ last_run_at: now.toISOString() })
    .where("name", "=", name)
    .where("holder", "=", holder)
    .execute();
}
