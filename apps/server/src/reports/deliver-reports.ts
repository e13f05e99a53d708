/**
 * Scheduled reports by e-mail. Each pass (a) turns every active schedule whose run has come into one delivery row for
 * that run — a server that was down for days queues only the latest run it missed — and moves the schedule to its
 * next run; (b) claims due deliveries one by one with a conditional update, so that two server processes never send
 * one twice, runs the report as the system limited to the schedule's property, and sends one message with the PDF
 * and/or CSV attached and the totals in its body; (c) records a failure on the delivery and retries it after 1, 5, 30
 * and 120 minutes; after 5 attempts the delivery is `failed` and waits for someone to retry it by hand. A run with
 * nobody to send to fails at once, for good. While no SMTP server is configured nothing is claimed or counted: each
 * delivery waits, pending, with the reason as its last error (one `report_delivery.failed` event says so), and is
 * looked at again on every pass.
 *
 * With several server processes on PostgreSQL the pass runs under a job lease; the claims still guard each delivery
 * should a lease lapse while a slow SMTP server holds a pass. A process that dies between sending and recording sends
 * that delivery again once its claim expires: a report arrives at least once, and in every other case exactly once.
 */
import { randomUUID } from "node:crypto";
import type { Report } from "@keyward/contracts/reports";
import { MAX_REPORT_ROWS } from "@keyward/contracts/reports";
import type { Executor } from "@keyward/db/connect";
import type { Database, ReportDeliveryTable } from "@keyward/db/schema";
import { can, propertiesWhere } from "@keyward/domain/permissions";
import { latestRunBy, nextRunAfter, periodBefore } from "@keyward/domain/report-schedule";
import { localTime } from "@keyward/domain/schedule";
import type { ExpressionBuilder } from "kysely";
import { type AuthenticatedActor, loadActor, systemActor } from "../auth/actor.ts";
import { recordEvent } from "../events.ts";
import { inTransaction } from "../http/pipeline.ts";
import { type MailTransport, NO_SMTP_MESSAGE, openMailTransport } from "../notify/mail.ts";
import { localStamp } from "../pdf/pdfmake.ts";
import { acquireLease, markLeaseRun } from "../scheduler/lease.ts";
import type { Services } from "../services.ts";
import { renderReportCsv, renderReportPdf, reportFileName } from "./render-report.ts";
import { recordOf, recurrenceOf, type ScheduleRecord, selectSchedules } from "./report-schedule-records.ts";
import { reportDefinition, runReport } from "./run-report.ts";

/** Minutes to wait after the 1st, 2nd, 3rd and 4th failed attempt. */
export const RETRY_MINUTES = [1, 5, 30, 120] as const;
/** Attempts before a delivery is `failed` and waits for a retry by hand. */
export const MAX_ATTEMPTS = 5;
/** The message of a run that had nobody to go to: it fails at once, with no retries. */
export const NO_RECIPIENTS_MESSAGE =
  "No recipients: nobody active who may read reports there holds the schedule's roles, and it names no other user " +
  "or address.";

const MINUTE = 60_000;
/** How long a claim holds a delivery: well past any SMTP server's timeouts below. */
const CLAIM_MS = 10 * MINUTE;
const LEASE = "report-delivery";
/** Schedules and deliveries handled per query (a pass loops until none are left). */
const BATCH = 100;

/** What one pass did. */
export interface DeliveryPass {
  /** Deliveries created for runs that came (`leased` false: another process holds the lease; nothing was done). */
  queued: number;
  sent: number;
  failed: number;
  leased: boolean;
}

/** Queues a delivery for every active schedule whose run has come, and moves each to its next run. */
export async function queueDueRuns(services: Pick<Services, "db" | "notifier" | "now">): Promise<number> {
  const now = services.now();
  const iso = now.toISOString();
  let queued = 0;
  for (;;) {
    const rows = await services.db
      .selectFrom("report_schedules")
      .selectAll()
      .where("status", "=", "active")
      .where("next_run_at", "<=", iso)
      .orderBy("next_run_at")
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const schedule = recordOf({ ...row, property_name: null });
      const recurrence = recurrenceOf(schedule);
      const due = latestRunBy(recurrence, new Date(row.next_run_at), now).toISOString();
      const next = nextRunAfter(recurrence, now).toISOString();
      await inTransaction(services, async (tx) => {
        // why: the run is this process's only while the schedule is still active and still due then; one paused or
        // moved since it was read queues nothing
        const moved = await tx
          .updateTable("report_schedules")
          .set({ next_run_at: next, last_run_at: due })
          .where("id", "=", row.id)
          .where("status", "=", "active")
          .where("next_run_at", "=", row.next_run_at)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) {
          return;
        }
        // why: one delivery per run however many processes find it due at once (unique schedule and due time)
        const inserted = await tx
          .insertInto("report_deliveries")
          .values(newDelivery(schedule, due, iso))
          .onConflict((oc) => oc.columns(["schedule_id", "due_at"]).doNothing())
          .executeTakeFirst();
        queued += Number(inserted.numInsertedOrUpdatedRows ?? 0);
      });
    }
    if (rows.length < BATCH) {
      return queued;
    }
  }
}

function newDelivery(schedule: ScheduleRecord, dueAt: string, now: string): ReportDeliveryTable {
  return {
    id: randomUUID(),
    organization_id: schedule.organizationId,
    schedule_id: schedule.id,
    due_at: dueAt,
    status: "pending",
    attempts: 0,
    next_attempt_at: now,
    claimed_by: null,
    claimed_until: null,
    last_error: null,
    recipients: null,
    message_id: null,
    sent_at: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Claims and sends every delivery that is due (a first attempt, a retry whose time has come, or one whose sender's
 * claim lapsed). Safe to run in several processes at once: each delivery is claimed by exactly one.
 */
export async function sendDueDeliveries(
  services: Pick<Services, "db" | "notifier" | "now" | "config">,
  holder: string,
): Promise<{ sent: number; failed: number }> {
  const result = { sent: 0, failed: 0 };
  const transport = openMailTransport(services.config.mail);
  const tried = new Set<string>();
  try {
    for (;;) {
      const iso = services.now().toISOString();
      const due = await services.db
        .selectFrom("report_deliveries")
        .select("id")
        .where(isDue(iso))
        .orderBy("next_attempt_at")
        .limit(BATCH)
        .execute();
      const fresh = due.filter((d) => !tried.has(d.id));
      if (fresh.length === 0) {
        return result;
      }
      for (const { id } of fresh) {
        tried.add(id);
        if (transport === null) {
          if (await holdWithoutSmtp(services, id, holder)) {
            result.failed++;
          }
          continue;
        }
        const claimed = await claim(services, id, holder);
        if (!claimed) {
          continue;
        }
        if (await deliver(services, transport, claimed, holder)) {
          result.sent++;
        } else {
          result.failed++;
        }
      }
    }
  } finally {
    transport?.close();
  }
}

/** A delivery whose attempt has come: pending and due, or claimed by a sender whose claim lapsed. */
function isDue(iso: string) {
  return (eb: ExpressionBuilder<Database, "report_deliveries">) =>
    eb.or([
      eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", iso)]),
      eb.and([eb("status", "=", "sending"), eb("claimed_until", "<", iso)]),
    ]);
}

/**
 * A due delivery while no SMTP server is configured: a run with nobody to send to fails for good as it would with
 * one; any other stays pending, its attempts uncounted, with the reason as its last error. The first time a delivery
 * waits for that reason, one `report_delivery.failed` event says so; the passes after write nothing.
 * @returns whether this pass recorded something (the event, or the failure for good).
 */
async function holdWithoutSmtp(
  services: Pick<Services, "db" | "notifier" | "now">,
  id: string,
  holder: string,
): Promise<boolean> {
  const { db } = services;
  const delivery = await db.selectFrom("report_deliveries").selectAll().where("id", "=", id).executeTakeFirst();
  if (!delivery) {
    return false;
  }
  const schedule = recordOf(
    await selectSchedules(db, delivery.organization_id)
      .where("report_schedules.id", "=", delivery.schedule_id)
      .executeTakeFirstOrThrow(),
  );
  const recipients = await resolveRecipients(db, schedule);
  if (recipients.addresses.length === 0) {
    const claimed = await claim(services, id, holder);
    if (!claimed) {
      return false;
    }
    await recordFailure(services, schedule, claimed, holder, new NoRecipients(), recipients.skipped);
    return true;
  }
  const now = services.now();
  const iso = now.toISOString();
  return inTransaction(services, async (tx) => {
    // why: conditional, so two processes (or two passes) record the reason once; a sender's lapsed claim is let go
    const held = await tx
      .updateTable("report_deliveries")
      .set({ status: "pending", claimed_by: null, claimed_until: null, last_error: NO_SMTP_MESSAGE, updated_at: iso })
      .where("id", "=", id)
      .where(isDue(iso))
      .where((eb) => eb.or([eb("last_error", "is", null), eb("last_error", "<>", NO_SMTP_MESSAGE)]))
      .executeTakeFirst();
    if (Number(held.numUpdatedRows) !== 1) {
      return false;
    }
    await recordEvent(tx, {
      organizationId: schedule.organizationId,
      propertyId: schedule.propertyId,
      action: "report_delivery.failed",
      entityType: "reportSchedule",
      entityId: schedule.id,
      actor: { type: "system", id: null, name: `Scheduled: ${schedule.name}` },
      after: { deliveryId: id, dueAt: delivery.due_at, attempts: Number(delivery.attempts), error: NO_SMTP_MESSAGE },
      now,
    });
    return true;
  });
}

/** Takes a delivery for this holder and counts the attempt; null when another process took it first. */
async function claim(
  services: Pick<Services, "db" | "now">,
  id: string,
  holder: string,
): Promise<ReportDeliveryTable | null> {
  const now = services.now();
  const iso = now.toISOString();
  // why: the conditions are checked again by the update itself, which only one process can win
  const result = await services.db
    .updateTable("report_deliveries")
    .set((eb) => ({
      status: "sending",
      claimed_by: holder,
      claimed_until: new Date(now.getTime() + CLAIM_MS).toISOString(),
      attempts: eb("attempts", "+", 1),
      updated_at: iso,
    }))
    .where("id", "=", id)
    .where(isDue(iso))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    return null;
  }
  const row = await services.db
    .selectFrom("report_deliveries")
    .selectAll()
    .where("id", "=", id)
    .where("claimed_by", "=", holder)
    .executeTakeFirst();
  return row ?? null;
}

/** The system acting for a schedule: an administrator of its property only (of the organization when it is organization-wide). */
export function scheduleActor(schedule: ScheduleRecord): AuthenticatedActor {
  const actor = systemActor(schedule.organizationId, "system", `Scheduled: ${schedule.name}`);
  if (schedule.propertyId === null) {
    return actor;
  }
  // why: the report then reads the schedule's property and nothing else, whatever its filters say
  return { ...actor, organizationRoles: [], propertyRoles: { [schedule.propertyId]: ["administrator"] } };
}

/** The report a delivery carries: the schedule's report and filters; a periodic one covers the full days before the run. */
async function reportFor(db: Executor, schedule: ScheduleRecord, dueAt: string, now: Date): Promise<Report> {
  const runDate = localTime(new Date(dueAt), schedule.timeZone).date;
  const period = periodBefore(schedule.frequency, runDate, schedule.monthDay);
  const { sort, ...filters } = schedule.filters;
  const periodic = reportDefinition(schedule.report).periodic;
  return runReport(
    db,
    scheduleActor(schedule),
    schedule.report,
    {
      ...filters,
      ...(sort ? { sort } : {}),
      ...(schedule.propertyId ? { propertyId: schedule.propertyId } : {}),
      ...(periodic ? period : {}),
      limit: MAX_REPORT_ROWS,
    },
    now,
  );
}

/** Who a run goes to: the addresses, and the logins the schedule names (by role or by user) that were left out. */
export interface ResolvedRecipients {
  addresses: string[];
  /** Logins left out because they may not read reports at the schedule's property now (or are not active). */
  skipped: string[];
}

/**
 * The addresses a schedule's report goes to now: the logins holding one of its roles at its property (through the
 * property, its region or the whole organization; organization-wide schedules: the whole organization only) and the
 * users it names — each only while active and allowed to read reports there, as their loaded actor says, the others
 * skipped — and its extra addresses.
 */
export async function resolveRecipients(db: Executor, schedule: ScheduleRecord): Promise<ResolvedRecipients> {
  const { roles, userIds, emails } = schedule.recipients;
  const candidates = new Set<string>(userIds);
  if (roles.length > 0) {
    const regionId =
      schedule.propertyId === null
        ? null
        : ((
            await db
              .selectFrom("properties")
              .select("region_id")
              .where("organization_id", "=", schedule.organizationId)
              .where("id", "=", schedule.propertyId)
              .executeTakeFirst()
          )?.region_id ?? null);
    const holders = await db
      .selectFrom("role_assignments")
      .innerJoin("people", "people.id", "role_assignments.person_id")
      .innerJoin("users", "users.person_id", "people.id")
      .select("users.id")
      .where("role_assignments.organization_id", "=", schedule.organizationId)
      .where("role_assignments.status", "=", "active")
      .where("role_assignments.role", "in", roles)
      .where("people.status", "=", "active")
      .where("users.status", "=", "active")
      .where((eb) => {
        const scopes = [eb("role_assignments.scope_type", "=", "organization")];
        if (schedule.propertyId !== null) {
          scopes.push(
            eb.and([
              eb("role_assignments.scope_type", "=", "property"),
              eb("role_assignments.scope_id", "=", schedule.propertyId),
            ]),
          );
        }
        if (regionId !== null) {
          scopes.push(
            eb.and([eb("role_assignments.scope_type", "=", "region"), eb("role_assignments.scope_id", "=", regionId)]),
          );
        }
        return eb.or(scopes);
      })
      .execute();
    for (const h of holders) {
      candidates.add(h.id);
    }
  }
  const addresses = new Set<string>();
  const skipped = new Set<string>();
  for (const userId of candidates) {
    const actor = await loadActor(db, userId, null);
    // why: a report goes only to someone who could read it in the dashboard now: a login deactivated, or moved
    // elsewhere since the schedule was made, stops receiving it
    if (actor && actor.organizationId === schedule.organizationId && mayReadReports(actor, schedule.propertyId)) {
      addresses.add(actor.email.toLowerCase());
    } else {
      skipped.add(await loginName(db, schedule.organizationId, userId));
    }
  }
  for (const email of emails) {
    addresses.add(email.toLowerCase());
  }
  for (const address of addresses) {
    skipped.delete(address);
  }
  return { addresses: [...addresses].sort(), skipped: [...skipped].sort() };
}

/** A login's address as a delivery lists it when skipped (its id, should the login be gone). */
async function loginName(db: Executor, organizationId: string, userId: string): Promise<string> {
  const user = await db
    .selectFrom("users")
    .select("email")
    .where("organization_id", "=", organizationId)
    .where("id", "=", userId)
    .executeTakeFirst();
  return user ? user.email.toLowerCase() : `user ${userId}`;
}

function mayReadReports(actor: AuthenticatedActor, propertyId: string | null): boolean {
  if (propertyId === null) {
    return propertiesWhere(actor, "read", "report") === "all";
  }
  return can(actor, "read", { entity: "report", organizationId: actor.organizationId, propertyId });
}

/** The message's plain-text body: what the report is, its period and totals, and what is attached. */
export function messageBody(report: Report, schedule: ScheduleRecord, files: string[]): string {
  const zone = report.timeZone;
  const place = report.property?.name ?? report.filters.find((f) => f.key === "propertyId")?.value ?? "";
  const others = report.filters.filter((f) => f.key !== "propertyId");
  const lines = [
    `${report.title} — ${place}`,
    report.description,
    "",
    report.period
      ? `Period: ${report.period.from} to ${report.period.to}, both days included`
      : "Period: the present moment",
    ...(others.length > 0 ? [`Filters: ${others.map((f) => `${f.label}: ${f.value}`).join("; ")}`] : []),
    `Generated: ${localStamp(report.generatedAt, zone)} (${zone}) by ${report.generatedBy.name}`,
    "",
    ...(report.totals.length > 0 ? ["Totals", ...report.totals.map((t) => `  ${t.label}: ${t.value}`), ""] : []),
    `Rows: ${report.rowCount}${report.truncated ? ` (the attachments carry the first ${report.rows.length})` : ""}`,
    `Attached: ${files.join(", ")}`,
    "",
    `Sent by Keyward for the schedule "${schedule.name}". Change or pause it in the dashboard under Reports → Schedules.`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Sends one claimed delivery and records how it went; true when it went out. */
async function deliver(
  services: Pick<Services, "db" | "notifier" | "now" | "config">,
  transport: MailTransport,
  delivery: ReportDeliveryTable,
  holder: string,
): Promise<boolean> {
  const { db } = services;
  const row = await selectSchedules(db, delivery.organization_id)
    .where("report_schedules.id", "=", delivery.schedule_id)
    .executeTakeFirstOrThrow();
  const schedule = recordOf(row);
  let skipped: string[] = [];
  try {
    const resolved = await resolveRecipients(db, schedule);
    const recipients = resolved.addresses;
    skipped = resolved.skipped;
    if (recipients.length === 0) {
      throw new NoRecipients();
    }
    const report = await reportFor(db, schedule, delivery.due_at, services.now());
    const attachments: { filename: string; content: string | Buffer; contentType: string }[] = [];
    for (const format of schedule.formats) {
      attachments.push(
        format === "pdf"
          ? {
              filename: reportFileName(report, "pdf"),
              content: await renderReportPdf(report),
              contentType: "application/pdf",
            }
          : {
              filename: reportFileName(report, "csv"),
              content: renderReportCsv(report),
              contentType: "text/csv; charset=utf-8",
            },
      );
    }
    const place = report.property?.name ?? "All properties";
    const runDate = localTime(new Date(delivery.due_at), schedule.timeZone).date;
    const info = await transport.sendMail({
      from: services.config.mail.from,
      to: recipients,
      subject: `${schedule.name} — ${place} — ${runDate}`,
      text: messageBody(
        report,
        schedule,
        attachments.map((a) => a.filename),
      ),
      attachments,
    });
    const accepted = (info.accepted as (string | { address: string })[]).map((a) =>
      typeof a === "string" ? a : a.address,
    );
    if (accepted.length === 0) {
      throw new Error(`The SMTP server refused every recipient: ${String(info.response)}`);
    }
    const iso = services.now().toISOString();
    await inTransaction(services, async (tx) => {
      await tx
        .updateTable("report_deliveries")
        .set({
          status: "sent",
          sent_at: iso,
          recipients: JSON.stringify({ sent: accepted, skipped }),
          message_id: info.messageId,
          last_error: null,
          next_attempt_at: null,
          claimed_until: null,
          updated_at: iso,
        })
        .where("id", "=", delivery.id)
        .where("claimed_by", "=", holder)
        .execute();
      await recordEvent(tx, {
        organizationId: schedule.organizationId,
        propertyId: schedule.propertyId,
        action: "report_delivery.sent",
        entityType: "reportSchedule",
        entityId: schedule.id,
        actor: { type: "system", id: null, name: `Scheduled: ${schedule.name}` },
        after: {
          deliveryId: delivery.id,
          dueAt: delivery.due_at,
          recipients: accepted,
          skipped,
          formats: schedule.formats,
          rows: report.rowCount,
        },
        now: services.now(),
      });
    });
    return true;
  } catch (error) {
    await recordFailure(services, schedule, delivery, holder, error, skipped);
    return false;
  }
}

/** A run with nobody to send to: it fails for good, since another attempt would find nobody either. */
class NoRecipients extends Error {
  constructor() {
    super(NO_RECIPIENTS_MESSAGE);
  }
}

/**
 * Records a failed attempt: back to `pending` with the next retry's time, or `failed` after the last attempt (or at
 * once, for a run with nobody to send to). The logins left out are kept on the delivery.
 */
async function recordFailure(
  services: Pick<Services, "db" | "notifier" | "now">,
  schedule: ScheduleRecord,
  delivery: ReportDeliveryTable,
  holder: string,
  error: unknown,
  skipped: readonly string[],
): Promise<void> {
  const now = services.now();
  const iso = now.toISOString();
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
  const attempts = Number(delivery.attempts);
  const wait = RETRY_MINUTES[attempts - 1];
  // why: a run with nobody to send to would find nobody on any retry; it is listed as failed at once
  const givesUp = error instanceof NoRecipients || attempts >= MAX_ATTEMPTS || wait === undefined;
  await inTransaction(services, async (tx) => {
    await tx
      .updateTable("report_deliveries")
      .set({
        status: givesUp ? "failed" : "pending",
        last_error: message,
        recipients: skipped.length > 0 ? JSON.stringify({ sent: [], skipped }) : null,
        next_attempt_at: givesUp || wait === undefined ? null : new Date(now.getTime() + wait * MINUTE).toISOString(),
        claimed_until: null,
        updated_at: iso,
      })
      .where("id", "=", delivery.id)
      .where("claimed_by", "=", holder)
      .execute();
    if (givesUp) {
      await recordEvent(tx, {
        organizationId: schedule.organizationId,
        propertyId: schedule.propertyId,
        action: "report_delivery.failed",
        entityType: "reportSchedule",
        entityId: schedule.id,
        actor: { type: "system", id: null, name: `Scheduled: ${schedule.name}` },
        after: { deliveryId: delivery.id, dueAt: delivery.due_at, attempts, error: message, skipped },
        now,
      });
    }
  });
}

/** One pass under the lease: queue the runs that came, then send what is due. */
export async function runDeliveryPass(services: Services, holder: string): Promise<DeliveryPass> {
  const ttl = Math.max(2 * MINUTE, 3 * services.config.reportDeliverySeconds * 1000);
  if (!(await acquireLease(services.db, LEASE, holder, ttl, services.now()))) {
    return { queued: 0, sent: 0, failed: 0, leased: false };
  }
  const queued = await queueDueRuns(services);
  const { sent, failed } = await sendDueDeliveries(services, holder);
  await markLeaseRun(services.db, LEASE, holder, services.now());
  return { queued, sent, failed, leased: true };
}

export interface ReportDeliveryWorker {
  stop(): Promise<void>;
  /** Runs a pass now and resolves when it is done (tests, "send now" from the CLI). */
  idle(): Promise<void>;
}

/** Runs delivery passes every KEYWARD_REPORT_DELIVERY_SECONDS until stopped. */
export function startReportDeliveryWorker(services: Services, log: (message: string) => void): ReportDeliveryWorker {
  const holder = randomUUID();
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pass = () => {
    chain = chain
      .then(async () => {
        if (!stopped) {
          const result = await runDeliveryPass(services, holder);
          if (result.failed > 0) {
            log(`reports: ${result.failed} scheduled report(s) could not be sent; see their deliveries`);
          }
        }
      })
      .catch((error: unknown) => log(`reports: ${error instanceof Error ? error.message : String(error)}`));
    return chain;
  };
  const timer = setInterval(pass, services.config.reportDeliverySeconds * 1000);
  timer.unref();
  void pass();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
    idle: async () => {
      await pass();
    },
  };
}
