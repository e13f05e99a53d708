/**
 * The hooks and the door: a key lifted (taken as granted, lifted wrongly in a visit, or with nobody at the console),
 * a key hung (returned, elsewhere, or unknown), the door opened, forced, held open or closed, and the hooks compared
 * with the journal at start. These raise the alarms.
 */
import { randomUUID } from "node:crypto";
import type { LocalChange } from "../journal.ts";
import { say } from "../messages.ts";
import type { EngineCore } from "./core.ts";
import type { Stage } from "./visit.ts";

/** The stages in which an identified person has the door to themselves: a key lifted then is theirs to answer for. */
const WRONG_LIFT_STAGES: ReadonlySet<Stage> = new Set<Stage>(["take", "return_hang", "return_scan"]);

/** Compares the hooks with the journal once a snapshot is in force, if a comparison is pending. */
export async function reconcileNow(core: EngineCore): Promise<void> {
  const view = core.view;
  if (!core.reconcilePending || view === null) {
    return;
  }
  core.reconcilePending = false;
  const found = new Map<string, number>();
  for (const [hook, tag] of core.hooks) {
    if (tag !== null) {
      found.set(tag, hook);
    }
  }
  for (const key of view.keys.values()) {
    const believed = core.serverHookOf(key);
    const hook = found.get(key.tagCode) ?? null;
    if (hook !== null && hook !== believed) {
      core.append("key.returned", { visitId: null, keyId: key.id, hook, personId: null }, [
        { kind: "return", keyId: key.id, hook },
      ]);
    } else if (hook === null && believed !== null && core.hooks.has(believed)) {
      core.append("key.removed_without_session", { hook: believed, keyId: key.id }, [
        { kind: "left_hook", keyId: key.id, hook: believed },
        { kind: "removed", keyId: key.id },
      ]);
      core.unsessioned.set(believed, key.tagCode);
      await core.light(believed, "alarm");
    }
  }
}

/** A key left its hook: taken as granted, lifted wrongly in a visit, or removed with nobody at the console. */
export async function keyLifted(core: EngineCore, hook: number, reportedTag: string | null): Promise<void> {
  const tag = reportedTag ?? core.hooks.get(hook) ?? null;
  const key = core.keyOfTag(tag);
  const leftHook: LocalChange[] = key ? [{ kind: "left_hook", keyId: key.id, hook }] : [];
  const visit = core.visit;
  const granted = visit?.stage === "take" ? visit.grant?.hooks.find((h) => h.hook === hook && !h.taken) : undefined;
  // why: memory changes only after the journal commits each event below, so a failed write leaves both as they were
  if (visit && granted && (tag === null || tag === granted.tag)) {
    const checkoutId = randomUUID();
    const outAt = core.options.now().toISOString();
    core.append(
      "key.taken",
      {
        visitId: visit.id,
        checkoutId,
        keyId: granted.keyId,
        hook,
        personId: visit.personId,
        authorized: true,
        reasonCodeId: visit.grant?.reasonCodeId ?? null,
        workOrder: visit.grant?.workOrder ?? null,
        dueAt: granted.dueAt,
        // why: only when there was one, so the events of an ordinary take keep their shape
        ...(visit.grant?.witnessPersonId ? { witnessPersonId: visit.grant.witnessPersonId } : {}),
      },
      [
        ...leftHook,
        {
          kind: "checkout",
          checkout: { checkoutId, keyId: granted.keyId, personId: visit.personId, hook, outAt, dueAt: granted.dueAt },
        },
      ],
    );
    core.hooks.set(hook, null);
    granted.taken = true;
    await core.light(hook, "off");
    await core.accept(null);
    return;
  }
  if (visit && !visit.closed && visit.identified && WRONG_LIFT_STAGES.has(visit.stage)) {
    const expectedHooks =
      visit.stage === "take"
        ? (visit.grant?.hooks ?? []).filter((h) => !h.taken).map((h) => h.hook)
        : visit.returning
          ? [visit.returning.hook]
          : [];
    core.append(
      "key.wrong_hook",
      { visitId: visit.id, personId: visit.personId, hook, keyId: key?.id ?? null, expectedHooks },
      leftHook,
    );
    core.hooks.set(hook, null);
    visit.wrongLifted.set(hook, tag);
    await core.light(hook, "alarm");
    await core.options.driver.beep("alarm");
    core.setFeedback("refuse", say("wrong_key", core.language(), { hook }));
    return;
  }
  core.append(
    "key.removed_without_session",
    { hook, keyId: key?.id ?? null },
    key ? [...leftHook, { kind: "removed", keyId: key.id }] : [],
  );
  core.hooks.set(hook, null);
  core.unsessioned.set(hook, tag);
  await core.light(hook, "alarm");
  await core.options.driver.beep("alarm");
}

/** A key was hung: the one being returned, or any other (an alarm cleared, an unknown tag reported). */
export async function keyHung(core: EngineCore, hook: number, tag: string | null): Promise<void> {
  const visit = core.visit;
  const lang = core.language();
  const returning = visit?.stage === "return_hang" ? visit.returning : null;
  if (visit && returning && tag === returning.tag) {
    const elsewhere = hook !== returning.hook;
    if (elsewhere) {
      core.append("key.wrong_hook", {
        visitId: visit.id,
        personId: visit.personId,
        hook,
        keyId: returning.keyId,
        expectedHooks: [returning.hook],
      });
    }
    // why: the key is back in the cabinet wherever it hangs; the server's custody follows the hook it is on
    core.append("key.returned", { visitId: visit.id, keyId: returning.keyId, hook, personId: visit.personId }, [
      { kind: "return", keyId: returning.keyId, hook },
    ]);
    core.hooks.set(hook, tag);
    await core.light(returning.hook, "off");
    visit.returned.push({ keyId: returning.keyId, label: returning.label });
    visit.returning = null;
    visit.stage = "return_scan";
    if (elsewhere) {
      await core.options.driver.beep("alarm");
      core.setFeedback("refuse", say("returned_elsewhere", lang, { hook, expected: returning.hook }));
    } else {
      await core.accept(say("returned", lang));
    }
    return;
  }
  const key = core.keyOfTag(tag);
  if (tag !== null && !key) {
    core.append("key.unknown_tag", { visitId: visit?.id ?? null, tag: tag.slice(0, 200) });
  } else if (key && core.serverHookOf(key) !== hook) {
    // why: one rule for every known key that appears on a hook: unless the server already has it right there (a
    // wrong key hung back where it was lifted), it is recorded returned on this hook — after a lift with nobody at
    // the console, a take, or a move to another hook — so the server's custody matches the cabinet
    core.append(
      "key.returned",
      { visitId: visit?.id ?? null, keyId: key.id, hook, personId: visit?.personId ?? null },
      [{ kind: "return", keyId: key.id, hook }],
    );
  }
  core.hooks.set(hook, tag);
  // A key put back where it was lifted, or hung anywhere, clears the alarms its lift raised.
  const cleared = [...(visit?.wrongLifted ?? []), ...core.unsessioned].filter(
    ([from, lifted]) => (lifted !== null && lifted === tag) || (from === hook && lifted === null),
  );
  for (const [from] of cleared) {
    visit?.wrongLifted.delete(from);
    core.unsessioned.delete(from);
    await core.light(from, "off");
  }
  await core.light(hook, "off");
  if (tag !== null && !key) {
    await core.options.driver.beep("alarm");
  }
}

/** The door opened: journalled, or an alarm if it was locked (forced). */
export async function doorOpened(core: EngineCore, locked: boolean): Promise<void> {
  const visitId = core.visit && !core.visit.closed ? core.visit.id : null;
  core.door = { openedAt: core.nowMs(), heldReported: false, visitId };
  if (locked) {
    core.append("door.forced", {});
    await core.options.driver.beep("alarm");
    return;
  }
  core.append("door.opened", { visitId });
}

/** The door closed: it is locked, and the visit's take or return moves on. */
export async function doorClosed(core: EngineCore): Promise<void> {
  const openedAt = core.door.openedAt ?? core.nowMs();
  const visitId = core.door.visitId;
  core.door = { openedAt: null, heldReported: false, visitId: null };
  core.append("door.closed", { visitId, openSeconds: Math.max(0, Math.floor((core.nowMs() - openedAt) / 1000)) });
  await core.options.driver.lockDoor();
  const visit = core.visit;
  if (!visit || visit.closed) {
    return;
  }
  core.takeWrongLifted(visit);
  if (visit.stage === "take") {
    for (const h of visit.grant?.hooks ?? []) {
      if (!h.taken) {
        await core.light(h.hook, "off");
      }
    }
    core.finish(visit);
    await core.accept(visit.doneMessage);
    return;
  }
  if (visit.stage === "return_hang" && visit.returning) {
    await core.light(visit.returning.hook, "off");
    visit.returning = null;
    visit.stage = "return_scan";
    return;
  }
  if (visit.stage === "return_scan" && visit.returned.length > 0) {
    core.finish(visit);
    await core.accept(visit.doneMessage);
  }
}

/** Journals the door held open past the property's limit, once per opening, and sounds the alarm. */
export async function reportDoorHeld(core: EngineCore, now: number): Promise<void> {
  const { doorHeldSeconds } = core.view?.body.settings ?? { doorHeldSeconds: 0 };
  if (core.door.openedAt !== null && !core.door.heldReported && core.view !== null) {
    const seconds = Math.floor((now - core.door.openedAt) / 1000);
    if (seconds > doorHeldSeconds) {
      core.door.heldReported = true;
      core.append("door.held_open", { visitId: core.door.visitId, seconds });
      await core.options.driver.beep("alarm");
    }
  }
}
