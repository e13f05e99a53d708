/** Health: whether the server can reach its database, and how its scheduled jobs keep up. */
import { Health, type HealthJob } from "@keyward/contracts/auth";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { sql } from "kysely";
import type { Config } from "../config.ts";
import type { Services } from "../services.ts";
import { VERSION } from "../version.ts";

const started = Date.now();

/** A job is late once it has not run for this many of its intervals. */
const LATE_AFTER_INTERVALS = 3;

/**
 * How often each job named by its lease should run, in seconds; null for a job not known here. The audit worker's
 * offsite copies run every 30 s while a target is configured, its verification once a day.
 */
export function expectedEverySeconds(name: string, config: Config): number | null {
  switch (name) {
    case "alert-scan":
      return config.alertScanSeconds;
    case "alert-delivery":
      return config.alertDeliverySeconds;
    case "report-delivery":
      return config.reportDeliverySeconds;
    case "audit-offsite":
      return config.audit.offsite.length > 0 ? 30 : null;
    case "audit-verify":
      return 24 * 60 * 60;
    default:
      return null;
  }
}

/** The jobs of `job_leases` as health shows them, at `now`. */
export async function schedulerJobs(services: Pick<Services, "db" | "config">, now: Date): Promise<HealthJob[]> {
  const leases = await services.db.selectFrom("job_leases").select(["name", "last_run_at"]).orderBy("name").execute();
  return leases.map((lease) => {
    const expected = expectedEverySeconds(lease.name, services.config);
    const lag = lease.last_run_at === null ? null : Math.max(0, (now.getTime() - Date.parse(lease.last_run_at)) / 1000);
    return {
      name: lease.name,
      lastRunAt: lease.last_run_at,
      lagSeconds: lag === null ? null : Math.round(lag),
      expectedEverySeconds: expected,
      late: lag === null || expected === null ? null : lag > LATE_AFTER_INTERVALS * expected,
    };
  });
}

export function registerHealthRoutes(app: FastifyInstance, services: Services): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/health",
    {
      config: { public: true },
      schema: {
        tags: ["Health"],
        summary: "Liveness, database reachability and the scheduler's jobs",
        security: [],
        response: { 200: Health },
      },
    },
    async () => {
      await sql`select 1`.execute(services.db);
      return {
        status: "ok" as const,
        database: services.handle.dialect,
        version: VERSION,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        scheduler: { jobs: await schedulerJobs(services, services.now()) },
      };
    },
  );
}
