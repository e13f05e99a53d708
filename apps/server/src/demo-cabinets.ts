/**
 * The demo's cabinets: one agent per demo cabinet beside the server, on the simulated driver, each kiosk on its own
 * port from the first. The first time, each agent enrols with a one-time code exactly as a real cabinet does, and a
 * few keys are taken through the agents (badge, PIN, unit, key, reason, door, hook) so the keys-out board is not
 * empty.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { enrollAgent, type RunningAgent, startAgent } from "@keyward/agent/agent";
import type { AgentLogger } from "@keyward/agent/engine";
import { JOURNAL_FILE } from "@keyward/agent/journal";
import type { KioskState } from "@keyward/contracts/kiosk";
import type { Db } from "@keyward/db/connect";
import { systemActor } from "./auth/actor.ts";
import { issueEnrollmentCode } from "./commands/issue-enrollment-code.ts";
import { DEMO_ORGANIZATION, type DemoCabinetUser, demoPin } from "./commands/seed-demo.ts";

/** A running demo cabinet. */
export interface DemoCabinet {
  name: string;
  propertyName: string;
  kioskUrl: string;
}

/** Warnings and errors only, named by cabinet: the demo's console belongs to the URLs and sign-ins. */
function loggerFor(cabinet: string): AgentLogger {
  return {
    info: () => undefined,
    warn: (m) => process.stderr.write(`cabinet "${cabinet}": warning: ${m}\n`),
    error: (m) => process.stderr.write(`cabinet "${cabinet}": error: ${m}\n`),
  };
}

/** The demo's cabinet users as the database holds them (after a restart, when the seed did not run). */
async function cabinetUsersOf(db: Db, organizationId: string): Promise<DemoCabinetUser[]> {
  const rows = await db
    .selectFrom("credentials as b")
    .innerJoin("credentials as p", (j) =>
      j.onRef("p.person_id", "=", "b.person_id").on("p.kind", "=", "pin").on("p.status", "=", "active"),
    )
    .innerJoin("people", "people.id", "b.person_id")
    .innerJoin("profile_assignments as a", (j) =>
      j.onRef("a.person_id", "=", "b.person_id").on("a.status", "=", "active"),
    )
    .select(["people.id", "people.first_name", "people.last_name", "b.badge_number", "a.property_id"])
    .where("b.organization_id", "=", organizationId)
    .where("b.kind", "=", "badge")
    .where("b.status", "=", "active")
    .where("people.status", "=", "active")
    .execute();
  const users = new Map<string, DemoCabinetUser>();
  for (const row of rows) {
    const badge = row.badge_number ?? "";
    const user = users.get(row.id) ?? {
      personId: row.id,
      name: `${row.first_name} ${row.last_name}`,
      role: "",
      badge,
      pin: demoPin(badge),
      propertyIds: [],
    };
    if (!user.propertyIds.includes(row.property_id)) {
      user.propertyIds.push(row.property_id);
    }
    users.set(row.id, user);
  }
  return [...users.values()];
}

/** Takes one unit's key as `user`, all the way to the door closing; false when the cabinet refuses. */
async function takeKey(
  agent: RunningAgent,
  user: DemoCabinetUser,
  unitNumber: string,
  reason: { id: string; workOrder: string | null },
): Promise<boolean> {
  const refused = (state: KioskState) => state.screen.name === "denied" || state.screen.name === "stopped";
  try {
    await agent.simulate({ type: "badge", number: user.badge });
    if (refused(await agent.act({ type: "pin", pin: user.pin }))) {
      return false;
    }
    // why: identified, the cabinet asks straight for the unit; a unit with one key to take goes on to the reason
    const found = await agent.act({ type: "find_unit", number: unitNumber });
    if (found.screen.name === "choose_keys") {
      const key = found.screen.keys.find((k) => k.unavailable === null);
      if (!key) {
        return false;
      }
      await agent.act({ type: "toggle_key", keyId: key.id });
      await agent.act({ type: "confirm_keys" });
    } else if (found.screen.name !== "reason") {
      return false;
    }
    const granted = await agent.act({ type: "reason", reasonCodeId: reason.id, workOrder: reason.workOrder });
    if (granted.screen.name !== "take") {
      return false;
    }
    await agent.simulate({ type: "door", open: true });
    for (const hook of granted.screen.hooks) {
      await agent.simulate({ type: "lift", hook: hook.hook });
    }
    await agent.simulate({ type: "door", open: false });
    return true;
  } finally {
    if (agent.state().screen.name !== "idle") {
      await agent.act({ type: "cancel" });
    }
  }
}

/** Takes two keys at each demo cabinet, as the first demo user whom the cabinet lets in at this hour. */
async function takeDemoKeys(db: Db, agent: RunningAgent, cabinetId: string, users: DemoCabinetUser[]): Promise<void> {
  const units = await db
    .selectFrom("keys")
    .innerJoin("units", "units.id", "keys.unit_id")
    .select("units.number")
    .where("keys.cabinet_id", "=", cabinetId)
    .where("keys.kind", "=", "unit")
    .orderBy("keys.hook_number")
    .limit(12)
    .execute();
  const reasons = await db
    .selectFrom("reason_codes")
    .select(["id", "requires_work_order"])
    .where("status", "=", "active")
    .orderBy("sort_order")
    .execute();
  const plain = reasons.find((r) => !r.requires_work_order);
  const withOrder = reasons.find((r) => r.requires_work_order);
  const visits = [
    { unit: units[3]?.number, reason: withOrder ? { id: withOrder.id, workOrder: "WO-20417" } : null },
    { unit: units[9]?.number, reason: plain ? { id: plain.id, workOrder: null } : null },
  ];
  for (const visit of visits) {
    if (!visit.unit || !visit.reason) {
      continue;
    }
    for (const user of users) {
      if (await takeKey(agent, user, visit.unit, visit.reason)) {
        break;
      }
    }
  }
}

/**
 * Starts an agent for every cabinet of the demo organization (none when the database holds another organization).
 * @returns the cabinets with their kiosk URLs, and the people who can open them (badge and PIN).
 * @param users the cabinet users the seed just created, or null after a restart (they are read back).
 * @param takeKeys whether to take a few keys through the agents (the first run).
 */
export async function startDemoCabinets(options: {
  db: Db;
  serverUrl: string;
  dataDir: string;
  firstPort: number;
  host: string;
  users: DemoCabinetUser[] | null;
  takeKeys: boolean;
}): Promise<{ cabinets: DemoCabinet[]; users: DemoCabinetUser[]; close(): Promise<void> }> {
  const { db } = options;
  const organization = await db
    .selectFrom("organizations")
    .select("id")
    .where("name", "=", DEMO_ORGANIZATION)
    .executeTakeFirst();
  if (!organization) {
    return { cabinets: [], users: [], close: async () => undefined };
  }
  const rows = await db
    .selectFrom("cabinets")
    .innerJoin("properties", "properties.id", "cabinets.property_id")
    .select(["cabinets.id", "cabinets.name", "cabinets.property_id", "properties.name as property_name"])
    .where("cabinets.organization_id", "=", organization.id)
    .where("cabinets.status", "!=", "archived")
    .orderBy("properties.name")
    .orderBy("cabinets.name")
    .execute();
  const users = options.users ?? (await cabinetUsersOf(db, organization.id));
  const agents: RunningAgent[] = [];
  const cabinets: DemoCabinet[] = [];
  try {
    for (const [index, cabinet] of rows.entries()) {
      const dataDir = join(options.dataDir, "agents", cabinet.id);
      if (!existsSync(join(dataDir, JOURNAL_FILE))) {
        const { code } = await db
          .transaction()
          .execute((tx) =>
            issueEnrollmentCode(
              { tx, actor: systemActor(organization.id, "system", "demo"), now: new Date() },
              cabinet.id,
            ),
          );
        // why: the demo's agents talk to this process at the address it listens on, which HOST may make a LAN one
        await enrollAgent({ serverUrl: options.serverUrl, code, dataDir, allowPlainHttp: true });
      }
      const here = users.filter((u) => u.propertyIds.includes(cabinet.property_id));
      // why: port 0 (tests) lets every kiosk pick a free port; the printed URLs name them
      const kioskPort = options.firstPort === 0 ? 0 : options.firstPort + index;
      const agent = await startAgent({
        dataDir,
        kioskPort,
        kioskHost: options.host,
        logger: loggerFor(cabinet.name),
        simulatorPresets: here.map((u) => ({
          label: u.role ? `${u.name} (${u.role})` : u.name,
          badge: u.badge,
          fingerprint: null,
          pin: u.pin,
        })),
      }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === "EADDRINUSE") {
          throw new Error(
            `the kiosk of cabinet "${cabinet.name}" needs port ${kioskPort}, which another program uses; stop it, or ` +
              "set KEYWARD_DEMO_KIOSK_PORT to the first of free ports",
            { cause: error },
          );
        }
        throw error;
      });
      agents.push(agent);
      await agent.waitForSnapshot();
      if (options.takeKeys) {
        await takeDemoKeys(db, agent, cabinet.id, here);
        await agent.syncNow();
      }
      cabinets.push({ name: cabinet.name, propertyName: cabinet.property_name, kioskUrl: agent.kioskUrl });
    }
  } catch (error) {
    await Promise.allSettled(agents.map((a) => a.close()));
    throw error;
  }
  return {
    cabinets,
    users,
    close: async () => {
      await Promise.allSettled(agents.map((a) => a.close()));
    },
  };
}
