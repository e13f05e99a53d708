/**
 * Custody as the server must see it: every key that leaves a hook or appears on one is journalled so the server's
 * checkouts match the cabinet — lifts with nobody at the console, keys lifted during a return, keys hung on the wrong
 * hook, what happened while the agent was down — and the engine's memory never runs ahead of its journal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KioskState } from "@keyward/contracts/kiosk";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { JOURNAL_FILE } from "../src/journal.ts";
import {
  type CabinetSpec,
  type KeySpec,
  type PersonSpec,
  startCabinet,
  type TestCabinet,
  tagOf,
} from "./cabinet-factory.ts";

const ana: PersonSpec = { id: "ana", firstName: "Ana", badge: "1001", pin: "4821" };
const k101a: KeySpec = { id: "k101a", unit: "101", hook: 1 };
const k202: KeySpec = { id: "k202", unit: "202", hook: 5 };
const k303: KeySpec = { id: "k303", unit: "303", hook: null, status: "out" };

const open: TestCabinet[] = [];
const dirs: string[] = [];
async function cabinet(spec: Partial<CabinetSpec> = {}, options: { dir?: string } = {}): Promise<TestCabinet> {
  const c = await startCabinet({ people: [ana], keys: [k101a, k202], ...spec }, options);
  open.push(c);
  return c;
}
afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.close();
  }
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function screenOf<N extends KioskState["screen"]["name"]>(state: KioskState, name: N) {
  expect(state.screen.name).toBe(name);
  return state.screen as Extract<KioskState["screen"], { name: N }>;
}

function lightOf(c: TestCabinet, hook: number): string | undefined {
  return c.driver.state().hooks.find((h) => h.number === hook)?.light;
}

describe("a key lifted with nobody at the console", () => {
  it("hung back on its own hook is journalled returned there, so the server closes the holderless checkout", async () => {
    const c = await cabinet();
    await c.sim({ type: "lift", hook: 5 });
    expect(c.events("key.removed_without_session").map((e) => e.data)).toEqual([{ hook: 5, keyId: "k202" }]);
    await c.sim({ type: "hang", hook: 5, tag: tagOf(k202) });
    expect(c.events("key.returned").map((e) => e.data)).toEqual([
      { visitId: null, keyId: "k202", hook: 5, personId: null },
    ]);
    expect(lightOf(c, 5)).toBe("off");
  });

  it("hung on another hook is journalled returned on that hook, and the first hook's alarm clears", async () => {
    const c = await cabinet();
    await c.sim({ type: "lift", hook: 5 });
    await c.sim({ type: "hang", hook: 8, tag: tagOf(k202) });
    expect(c.events("key.returned").map((e) => e.data)).toEqual([
      { visitId: null, keyId: "k202", hook: 8, personId: null },
    ]);
    expect(lightOf(c, 5)).toBe("off");
    // Lifted again from its new hook and put back there: out, then in again on hook 8.
    await c.sim({ type: "lift", hook: 8 });
    await c.sim({ type: "hang", hook: 8, tag: tagOf(k202) });
    expect(c.events("key.returned").map((e) => e.data.hook)).toEqual([8, 8]);
  });
});

describe("a key lifted wrongly in a visit", () => {
  it("during a return leaves with the person when the door closes: taken, unauthorised, in their name", async () => {
    const c = await cabinet({ keys: [k101a, k202, k303], people: [{ ...ana, keysOut: ["k303"] }] });
    await c.identify(ana);
    await c.act({ type: "menu", choice: "return" });
    const hang = screenOf(await c.sim({ type: "tag", code: tagOf(k303) }), "return_hang");
    await c.sim({ type: "door", open: true });
    await c.sim({ type: "lift", hook: 5 });
    expect(c.events("key.wrong_hook").map((e) => e.data)).toEqual([
      { visitId: expect.any(String), personId: "ana", hook: 5, keyId: "k202", expectedHooks: [hang.hook] },
    ]);
    await c.sim({ type: "hang", hook: hang.hook, tag: tagOf(k303) });
    screenOf(await c.sim({ type: "door", open: false }), "done");
    expect(c.events("key.returned").map((e) => e.data.keyId)).toEqual(["k303"]);
    expect(c.events("key.taken").map((e) => e.data)).toEqual([
      {
        visitId: expect.any(String),
        checkoutId: expect.any(String),
        keyId: "k202",
        hook: 5,
        personId: "ana",
        authorized: false,
        reasonCodeId: null,
        workOrder: null,
        dueAt: null,
      },
    ]);
    expect(c.journal.localCheckouts().map((l) => [l.keyId, l.personId])).toEqual([["k202", "ana"]]);
  });

  it("after a return, with the door still open, is the person's too", async () => {
    const c = await cabinet({ keys: [k101a, k202, k303], people: [{ ...ana, keysOut: ["k303"] }] });
    await c.identify(ana);
    await c.act({ type: "menu", choice: "return" });
    const hang = screenOf(await c.sim({ type: "tag", code: tagOf(k303) }), "return_hang");
    await c.sim({ type: "door", open: true });
    screenOf(await c.sim({ type: "hang", hook: hang.hook, tag: tagOf(k303) }), "return_scan");
    await c.sim({ type: "lift", hook: 1 });
    await c.sim({ type: "door", open: false });
    expect(c.events("key.removed_without_session")).toHaveLength(0);
    expect(c.events("key.taken").map((e) => [e.data.keyId, e.data.personId, e.data.authorized])).toEqual([
      ["k101a", "ana", false],
    ]);
  });

  it("hung on another free hook is journalled returned on that hook, and is not taken at the door's close", async () => {
    const c = await cabinet();
    await c.take(ana, "101", ["k101a"]);
    await c.sim({ type: "door", open: true });
    await c.sim({ type: "lift", hook: 5 });
    expect(lightOf(c, 5)).toBe("alarm");
    await c.sim({ type: "hang", hook: 9, tag: tagOf(k202) });
    expect(c.events("key.returned").map((e) => e.data)).toEqual([
      { visitId: expect.any(String), keyId: "k202", hook: 9, personId: "ana" },
    ]);
    expect(lightOf(c, 5)).toBe("off");
    await c.sim({ type: "lift", hook: 1 });
    await c.sim({ type: "door", open: false });
    expect(c.events("key.taken").map((e) => [e.data.keyId, e.data.authorized])).toEqual([["k101a", true]]);
  });

  it("a key taken and hung back at once is returned; one put back where the server knows it needs no event", async () => {
    const c = await cabinet();
    await c.take(ana, "101", ["k101a"]);
    await c.sim({ type: "door", open: true });
    await c.sim({ type: "lift", hook: 1 });
    await c.sim({ type: "hang", hook: 1, tag: tagOf(k101a) });
    expect(c.events("key.returned").map((e) => e.data.hook)).toEqual([1]);
    await c.sim({ type: "door", open: false });
    // The key returned on hook 1 is where the server now knows it: lifting it wrongly and hanging it back is quiet.
    await c.take(ana, "202", ["k202"]);
    await c.sim({ type: "door", open: true });
    await c.sim({ type: "lift", hook: 1 });
    await c.sim({ type: "hang", hook: 1, tag: tagOf(k101a) });
    expect(c.events("key.returned")).toHaveLength(1);
  });
});

describe("the engine's memory follows its journal", () => {
  it("a take whose journal write fails leaves the key granted and its hook lit, with no event", async () => {
    const c = await cabinet();
    await c.take(ana, "101", ["k101a"]);
    await c.sim({ type: "door", open: true });
    // A real write failure: another connection to the journal makes every new event fail to insert.
    const db = new Database(join(c.dir, JOURNAL_FILE));
    try {
      db.exec("create trigger refuse_events before insert on events begin select raise(abort, 'disk full'); end");
      const state = await c.sim({ type: "lift", hook: 1 });
      expect(screenOf(state, "take").hooks).toEqual([{ hook: 1, keyId: "k101a", label: "Key k101a", taken: false }]);
      expect(lightOf(c, 1)).toBe("take");
      expect(c.events("key.taken")).toHaveLength(0);
      expect(c.journal.localCheckouts()).toEqual([]);
    } finally {
      db.exec("drop trigger if exists refuse_events");
      db.close();
    }
  });
});

describe("reconciling the hooks at start", () => {
  function persistentDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "keyward-agent-reconcile-"));
    dirs.push(dir);
    return dir;
  }

  it("a key gone during a crash between the door's release and the take is removed without a session", async () => {
    const dir = persistentDir();
    const first = await startCabinet({ people: [ana], keys: [k101a, k202] }, { dir });
    await first.take(ana, "101", ["k101a"]);
    expect(first.events().at(-1)?.type).toBe("door.released");
    // The crash: the hardware sees the key go, the engine never hears of it.
    first.engine.close();
    first.driver.apply({ type: "door", open: true });
    first.driver.apply({ type: "lift", hook: 1 });
    await first.close();

    const second = await cabinet({}, { dir });
    expect(second.events("key.removed_without_session").map((e) => e.data)).toEqual([{ hook: 1, keyId: "k101a" }]);
    expect(second.events("key.returned")).toHaveLength(0);
    expect(lightOf(second, 1)).toBe("alarm");
    // Hung back later, it is returned, which closes the server's holderless checkout.
    await second.sim({ type: "hang", hook: 1, tag: tagOf(k101a) });
    expect(second.events("key.returned").map((e) => e.data.hook)).toEqual([1]);
  });

  it("a key lifted wrongly before a crash during the door's close is removed without a session", async () => {
    const dir = persistentDir();
    const first = await startCabinet({ people: [ana], keys: [k101a, k202] }, { dir });
    await first.take(ana, "101", ["k101a"]);
    await first.sim({ type: "door", open: true });
    await first.sim({ type: "lift", hook: 1 });
    await first.sim({ type: "lift", hook: 5 });
    first.engine.close();
    first.driver.apply({ type: "door", open: false });
    await first.close();

    const second = await cabinet({}, { dir });
    expect(second.events("key.removed_without_session").map((e) => e.data)).toEqual([{ hook: 5, keyId: "k202" }]);
    // the key taken with its event is already out: nothing more about it
    expect(second.events("key.taken").map((e) => e.data.keyId)).toEqual(["k101a"]);
  });

  it("a key that appeared while the agent was down is returned on its hook; a quiet restart journals nothing", async () => {
    const dir = persistentDir();
    const spec = { people: [ana], keys: [k101a, k202, k303] };
    const first = await startCabinet(spec, { dir });
    first.engine.close();
    first.driver.apply({ type: "hang", hook: 7, tag: tagOf(k303) });
    await first.close();

    const second = await startCabinet(spec, { dir });
    expect(second.events("key.returned").map((e) => e.data)).toEqual([
      { visitId: null, keyId: "k303", hook: 7, personId: null },
    ]);
    const count = second.events().length;
    await second.close();

    const third = await cabinet(spec, { dir });
    expect(third.events().length).toBe(count + 1);
    expect(third.events().at(-1)?.type).toBe("cabinet.snapshot_applied");
  });
});

describe("the journal's local checkouts when a snapshot arrives", () => {
  it("keeps a person's checkout only while that person holds the key, and a holderless one while anyone does", async () => {
    const c = await cabinet();
    const checkout = (keyId: string, personId: string | null) =>
      c.journal.append("device-1", c.clock.now().toISOString(), "key.taken", {}, [
        {
          kind: "checkout",
          checkout: {
            checkoutId: `co-${keyId}`,
            keyId,
            personId,
            hook: 1,
            outAt: "2026-06-01T15:00:00.000Z",
            dueAt: null,
          },
        },
      ]);
    checkout("k1", "ana");
    checkout("k2", "ana");
    checkout("k3", null);
    checkout("k4", null);
    const at = c.clock.now().toISOString();
    c.journal.saveSnapshot(
      { version: 2, body: "{}", signature: "signature", receivedAt: at, confirmedAt: at },
      c.journal.head().seq,
      // ben took k1 after ana returned it elsewhere; ana still holds k2
      new Map([
        ["ana", new Set(["k2"])],
        ["ben", new Set(["k1"])],
      ]),
      new Set(["k1", "k2", "k3"]),
    );
    expect(c.journal.localCheckouts().map((l) => l.keyId)).toEqual(["k2", "k3"]);
  });
});
