/**
 * An attempt outside permitted hours leaves a trace: the console lists the unit's keys as unavailable rather than
 * refusing a take, so it journals `cabinet.access_denied` (outside_hours or holiday) when a person looks for a unit
 * whose keys their hours refuse, or taps such a key — the event the server's "attempt outside permitted hours"
 * alert is raised from.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Clock, type KeySpec, type PersonSpec, startCabinet, type TestCabinet } from "./cabinet-factory.ts";

const ana: PersonSpec = { id: "ana", firstName: "Ana", badge: "1001", pin: "4821" };
const k101a: KeySpec = { id: "k101a", unit: "101", hook: 1 };
const k101b: KeySpec = { id: "k101b", unit: "101", hook: 2 };
const open: TestCabinet[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.close();
  }
});

// why: the default profile allows Monday to Friday 08:00–17:00 in America/Chicago
const SATURDAY_10AM = Date.parse("2026-06-06T15:00:00Z");
const MONDAY_10AM = Date.parse("2026-06-08T15:00:00Z");

async function cabinetAt(ms: number, keys: KeySpec[]): Promise<TestCabinet> {
  const c = await startCabinet({ people: [ana], keys }, { clock: new Clock(ms) });
  open.push(c);
  await c.identify(ana);
  return c;
}

describe("attempts outside permitted hours", () => {
  it("journals the refusal when a person finds a unit whose keys their hours refuse, and again on a tapped key", async () => {
    const c = await cabinetAt(SATURDAY_10AM, [k101a, k101b]);
    await c.act({ type: "find_unit", number: "101" });
    const denied = c.events("cabinet.access_denied");
    expect(denied.map((e) => [e.data.code, e.data.keyIds, e.data.personId])).toEqual([
      ["outside_hours", ["k101a", "k101b"], "ana"],
    ]);
    await c.act({ type: "toggle_key", keyId: "k101b" });
    expect(c.events("cabinet.access_denied").map((e) => [e.data.code, e.data.keyIds])).toEqual([
      ["outside_hours", ["k101a", "k101b"]],
      ["outside_hours", ["k101b"]],
    ]);
  });

  it("journals nothing within the hours", async () => {
    const c = await cabinetAt(MONDAY_10AM, [k101a]);
    await c.act({ type: "find_unit", number: "101" });
    expect(c.events("cabinet.access_denied")).toEqual([]);
  });
});
