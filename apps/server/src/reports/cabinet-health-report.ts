/**
 * Cabinet health: for each cabinet, its contact with the server now (last contact, online or not by the property's
 * offline limit) and over the period (times it could not reach the server, alarms, agent restarts), its open alarms
 * and the permissions version it runs against the current one.
 *
 * why periodic: alarms, offline periods and restarts are counts over time, and a period chosen like any other report's
 * (by default the last 30 days) prints in the header what they cover; the present-moment columns ignore it.
 */
import { CABINET_ALARMS } from "@keyward/contracts/cabinet-sync";
import { jsonObject, LATE_UPLOAD_MINUTES, offlinePeriods } from "./cabinet-contact.ts";
import type { ReportDefinition } from "./report-definition.ts";
import { minutesBetween, scopedProperties } from "./report-parts.ts";

const COUNTED = [...CABINET_ALARMS, "cabinet.agent_started"] as const;
type Counted = (typeof COUNTED)[number];

const COLUMN_OF: Record<Counted, string> = {
  "door.held_open": "heldOpen",
  "door.forced": "forced",
  "key.wrong_hook": "wrongHook",
  "key.removed_without_session": "removed",
  "cabinet.agent_started": "agentStarts",
};

export const cabinetHealthReport: ReportDefinition = {
  name: "cabinet-health",
  title: "Cabinet health",
  description:
    "Each cabinet's last contact and whether it is online now (offline once its last contact is older than the " +
    "property's maximum offline time), and over the period: when it could not reach the server, its alarms and its " +
    "agent's restarts. Offline periods are derived from the cabinet's own events: one that reached the server " +
    `${LATE_UPLOAD_MINUTES} minutes or more after it happened marks a period from it to its arrival (overlaps merged); ` +
    "an outage with no activity at the cabinet leaves no trace and is not counted.",
  periodic: true,
  filters: [],
  columns: [
    { key: "cabinet", label: "Cabinet", kind: "text" },
    { key: "property", label: "Property", kind: "text" },
    { key: "status", label: "Status", kind: "text" },
    { key: "lastContact", label: "Last contact", kind: "instant" },
    { key: "online", label: "Online now", kind: "flag" },
    { key: "minutesSinceContact", label: "Minutes since contact", kind: "minutes" },
    { key: "offlinePeriods", label: "Offline periods", kind: "number" },
    { key: "offlineMinutes", label: "Minutes offline", kind: "minutes" },
    { key: "heldOpen", label: "Door held open", kind: "number" },
    { key: "forced", label: "Door forced", kind: "number" },
    { key: "wrongHook", label: "Wrong hook", kind: "number" },
    { key: "removed", label: "Removed without a session", kind: "number" },
    { key: "openAlarms", label: "Open alarms", kind: "number" },
    { key: "snapshotVersion", label: "Permissions version", kind: "number" },
    { key: "currentVersion", label: "Current version", kind: "number" },
    { key: "agentStarts", label: "Agent starts", kind: "number" },
  ],
  defaultSort: { key: "cabinet", direction: "asc" },
  async run({ db, scope, period, now }) {
    const org = scope.organizationId;
    const properties = scopedProperties(scope);
    // why: served by cabinets (property_id, id) per property and the organization's cabinets otherwise: a few per property
    let q = db
      .selectFrom("cabinets as c")
      .innerJoin("properties as p", "p.id", "c.property_id")
      .leftJoin("cabinet_states as s", "s.cabinet_id", "c.id")
      .leftJoin("snapshot_versions as v", "v.property_id", "c.property_id")
      .select([
        "c.id",
        "c.name",
        "c.status",
        "c.property_id",
        "p.name as property",
        "p.max_offline_minutes",
        "s.last_contact_at",
        "s.open_alarms",
        "s.snapshot_version",
        "v.version as currentVersion",
      ])
      .where("c.organization_id", "=", org);
    if (properties) {
      q = q.where("c.property_id", "in", properties);
    }
    const cabinets = await q.orderBy("c.name").orderBy("c.id").execute();
    const from = period?.fromInstant ?? new Date(0).toISOString();
    const to = period?.toInstant ?? now.toISOString();

    // why: served by events (organization_id, action, occurred_at): alarms and restarts only, never the other events
    let e = db
      .selectFrom("events")
      .select(["action", "after"])
      .where("organization_id", "=", org)
      .where("action", "in", [...COUNTED])
      .where("occurred_at", ">=", from)
      .where("occurred_at", "<", to);
    if (properties) {
      e = e.where("property_id", "in", properties);
    }
    const counts = new Map<string, number>();
    for (const row of await e.execute()) {
      const cabinetId = jsonObject(row.after).cabinetId;
      if (typeof cabinetId === "string") {
        const key = `${cabinetId}:${COLUMN_OF[row.action as Counted]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const periods = await offlinePeriods(
      db,
      org,
      cabinets.map((c) => c.id),
      from,
      to,
    );

    const nowIso = now.toISOString();
    const rows = cabinets.map((c) => {
      const lastContact = c.last_contact_at === null ? null : new Date(c.last_contact_at).toISOString();
      const since = lastContact === null ? null : minutesBetween(lastContact, nowIso);
      const gaps = periods.get(c.id) ?? [];
      const count = (column: string) => counts.get(`${c.id}:${column}`) ?? 0;
      return {
        cells: {
          cabinet: c.name,
          property: c.property,
          status: c.status,
          lastContact,
          // why: a cabinet never heard from is neither online nor offline: it was never set up
          online: since === null ? null : since <= c.max_offline_minutes,
          minutesSinceContact: since,
          offlinePeriods: gaps.length,
          offlineMinutes: gaps.reduce((sum, g) => sum + minutesBetween(g.from, g.to), 0),
          heldOpen: count("heldOpen"),
          forced: count("forced"),
          wrongHook: count("wrongHook"),
          removed: count("removed"),
          openAlarms: c.open_alarms ?? 0,
          snapshotVersion: c.snapshot_version,
          // why: as currentSnapshotVersion reads it: a property without a row is at version 1
          currentVersion: c.currentVersion === null ? 1 : Number(c.currentVersion),
          agentStarts: count("agentStarts"),
        },
        links: { cabinetId: c.id },
      };
    });
    const sum = (
      key: "offlinePeriods" | "heldOpen" | "forced" | "wrongHook" | "removed" | "openAlarms" | "agentStarts",
    ) => rows.reduce((total, r) => total + r.cells[key], 0);
    return {
      rows,
      totals: [
        { key: "cabinets", label: "Cabinets", value: rows.length },
        { key: "offlineNow", label: "Offline now", value: rows.filter((r) => r.cells.online === false).length },
        { key: "offlinePeriods", label: "Offline periods", value: sum("offlinePeriods") },
        {
          key: "alarms",
          label: "Alarms",
          value: sum("heldOpen") + sum("forced") + sum("wrongHook") + sum("removed"),
        },
        { key: "openAlarms", label: "Open alarms", value: sum("openAlarms") },
        { key: "agentStarts", label: "Agent starts", value: sum("agentStarts") },
      ],
      charts: [
        {
          key: "alarmsByCabinet",
          title: "Alarms by cabinet",
          kind: "bar",
          points: rows.map((r) => ({
            label: r.cells.cabinet,
            value: r.cells.heldOpen + r.cells.forced + r.cells.wrongHook + r.cells.removed,
          })),
        },
        {
          key: "alarmsByKind",
          title: "Alarms by kind",
          kind: "bar",
          points: [
            { label: "Door held open", value: sum("heldOpen") },
            { label: "Door forced", value: sum("forced") },
            { label: "Wrong hook", value: sum("wrongHook") },
            { label: "Removed without a session", value: sum("removed") },
          ],
        },
      ],
    };
  },
};
