/**
 * The agent's side of the stream against a scripted server (scripted-server.ts): when a snapshot counts as confirmed,
 * which snapshots it refuses (replays) or takes (a server restored from a backup), and which commands it obeys.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SignedSnapshot } from "@keyward/contracts/cabinet-sync";
import { generateSigningKeyPair } from "@keyward/domain/event-chain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { enrollAgent, type RunningAgent, startAgent } from "../src/agent.ts";
import { quietLogger } from "./cabinet-factory.ts";
import { ScriptedServer } from "./scripted-server.ts";

const T1 = "2026-06-01T15:00:00.000Z";
const T2 = "2026-06-01T16:00:00.000Z";
const T3 = "2026-06-01T17:00:00.000Z";

interface World {
  server: ScriptedServer;
  agent: RunningAgent;
  clock: { ms: number };
  dataDir: string;
}

let world: World | null = null;
afterEach(async () => {
  if (world) {
    await world.agent.close();
    await world.server.close();
    rmSync(world.dataDir, { recursive: true, force: true });
    world = null;
  }
});

/** An agent enrolled with the scripted server, holding snapshot 1 (issued at T1). */
async function setUp(): Promise<World> {
  const server = await ScriptedServer.start();
  const first = await server.signedSnapshot(1, T1);
  server.answer = () => ({ status: 200, snapshot: first });
  const dataDir = mkdtempSync(join(tmpdir(), "keyward-agent-sync-"));
  await enrollAgent({ serverUrl: server.url, code: "ABCD-EFGH-JKLM", dataDir });
  const clock = { ms: Date.now() };
  const agent = await startAgent({ dataDir, kioskPort: 0, logger: quietLogger, now: () => new Date(clock.ms) });
  await vi.waitFor(() => expect(server.streaming()).toBe(true), { timeout: 5000, interval: 20 });
  server.send({ type: "hello", snapshotVersion: 1, serverTime: new Date().toISOString() });
  await agent.waitForSnapshot(1);
  world = { server, agent, clock, dataDir };
  return world;
}

/** The commands the agent executed, by id. */
function executed(agent: RunningAgent): unknown[] {
  return agent.journal
    .eventsFrom(1, 10_000)
    .filter((e) => e.type === "cabinet.remote_release_executed")
    .map((e) => e.data.commandId);
}

/**
 * Sends a signed command and waits for the agent to execute it: the stream's messages are handled in order, so every
 * message sent before has been handled too.
 */
async function barrier(w: World): Promise<void> {
  const command = w.server.command();
  w.server.send(w.server.signedCommand(command));
  await vi.waitFor(() => expect(executed(w.agent)).toContain(command.id), { timeout: 5000, interval: 20 });
}

function confirmedAt(w: World): string | undefined {
  return w.agent.journal.snapshot()?.confirmedAt;
}

describe("a ping on the stream", () => {
  it("confirms the snapshot in force only while it is the announced one; a failed fetch is retried", async () => {
    const w = await setUp();
    const second = await w.server.signedSnapshot(2, T2);
    w.server.answer = () => ({ status: 500 });
    // why: a second, so the confirmation time differs while the server's clock (the commands' expiry) stays in step
    w.clock.ms += 1000;
    w.server.send({ type: "snapshot", version: 2 });
    w.server.send({ type: "ping", serverTime: new Date().toISOString() });
    await barrier(w);
    const stale = confirmedAt(w);
    expect(Date.parse(stale ?? "")).toBeLessThan(w.clock.ms);
    expect(w.agent.state().snapshot.version).toBe(1);

    // The server recovers: the retry fetches version 2 without another announcement.
    w.server.answer = () => ({ status: 200, snapshot: second });
    await w.agent.waitForSnapshot(2);
    w.clock.ms += 1000;
    w.server.send({ type: "ping", serverTime: new Date().toISOString() });
    await barrier(w);
    expect(confirmedAt(w)).toBe(new Date(w.clock.ms).toISOString());
  });
});

describe("snapshots that go back in time", () => {
  it("refuses an old signed snapshot served again, asking without `known` when a lower version is announced", async () => {
    const w = await setUp();
    const first = await w.server.signedSnapshot(1, T1);
    const second = await w.server.signedSnapshot(2, T2);
    w.server.answer = () => ({ status: 200, snapshot: second });
    w.server.send({ type: "snapshot", version: 2 });
    await w.agent.waitForSnapshot(2);

    w.server.answer = () => ({ status: 200, snapshot: first });
    w.server.send({ type: "snapshot", version: 1 });
    await barrier(w);
    expect(w.server.snapshotRequests.at(-1)).toBeNull();
    expect(w.agent.state().snapshot.version).toBe(2);
    expect(w.agent.journal.snapshot()?.version).toBe(2);
  });

  it("takes a lower version issued later: the server was restored from a backup", async () => {
    const w = await setUp();
    const second = await w.server.signedSnapshot(2, T2);
    const restored: SignedSnapshot = await w.server.signedSnapshot(1, T3);
    w.server.answer = () => ({ status: 200, snapshot: second });
    w.server.send({ type: "snapshot", version: 2 });
    await w.agent.waitForSnapshot(2);

    w.server.answer = (known) => (known === null ? { status: 200, snapshot: restored } : { status: 204 });
    w.server.send({ type: "hello", snapshotVersion: 1, serverTime: new Date().toISOString() });
    await barrier(w);
    expect(w.agent.state().snapshot.version).toBe(1);
    expect(w.agent.journal.snapshot()?.body).toBe(restored.body);
  });
});

describe("commands down the stream", () => {
  it("executes only a command signed by the server key from enrolment", async () => {
    const w = await setUp();
    const unsigned = w.server.command();
    const forged = w.server.command();
    const altered = w.server.command();
    w.server.send({ type: "command", command: unsigned });
    w.server.send(w.server.signedCommand(forged, generateSigningKeyPair()));
    const signedAltered = w.server.signedCommand(altered);
    w.server.send(
      signedAltered.type === "command"
        ? { ...signedAltered, command: { ...altered, params: { seconds: 120 } } }
        : signedAltered,
    );
    await barrier(w);
    expect(executed(w.agent)).toHaveLength(1);
    expect(executed(w.agent)).not.toContain(unsigned.id);
    expect(executed(w.agent)).not.toContain(forged.id);
    expect(executed(w.agent)).not.toContain(altered.id);
  });
});
