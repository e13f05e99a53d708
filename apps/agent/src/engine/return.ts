/**
 * Returning keys: a tag scanned at the console, a free hook chosen at random for it, the door released and the hook
 * lit (the key's hanging is handled with the other hook events).
 */
import { randomInt } from "node:crypto";
import { say } from "../messages.ts";
import type { EngineCore } from "./core.ts";

/** A key's tag scanned at the console to return it: a free hook is chosen and lit, and the door released. */
export async function scanTag(core: EngineCore, code: string): Promise<void> {
  const visit = core.visit;
  if (visit === null || visit.closed || !visit.identified || visit.stage !== "return_scan") {
    await core.refuse(visit?.stage === "return_hang" ? "not_now" : "identify_first");
    return;
  }
  const view = core.view;
  const key = view?.keysByTag.get(code);
  if (view === null || !key) {
    core.append("key.unknown_tag", { visitId: visit.id, tag: code.slice(0, 200) });
    await core.refuse("unknown_tag");
    return;
  }
  if (core.hookOf(key.tagCode) !== null) {
    await core.refuse("already_in");
    return;
  }
  const left = core.options.journal.leftHook(key.id) ?? key.snapshotHook;
  const disabled = new Set(view.body.cabinet.disabledHooks);
  // why: a key never goes back to the hook it left, so a hook's position reveals nothing about the key on it
  const free = [...core.hooks.entries()]
    .filter(([hook, tag]) => tag === null && !disabled.has(hook) && hook !== left && !core.unsessioned.has(hook))
    .map(([hook]) => hook);
  if (free.length === 0) {
    await core.refuse("no_free_hook");
    return;
  }
  const hook = free[randomInt(free.length)] ?? free[0] ?? 0;
  visit.returning = { keyId: key.id, tag: key.tagCode, label: key.label, hook };
  visit.stage = "return_hang";
  core.append("door.released", { visitId: visit.id, personId: visit.personId, purpose: "return", commandId: null });
  await core.options.driver.releaseDoor(core.doorReleaseSeconds);
  await core.light(hook, "return");
  await core.accept(say("hang_on", core.language(), { hook }));
}
