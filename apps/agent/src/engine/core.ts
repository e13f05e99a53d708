/**
 * What the engine's parts share: the snapshot in force, the hooks, the visit, the door and the kiosk's feedback, with
 * the small steps every part takes (journal an event, beep, light a hook, open, close or end a visit).
 */
import { randomUUID } from "node:crypto";
import type { CabinetEventType } from "@keyward/contracts/cabinet-sync";
import type { KioskLanguage, KioskState } from "@keyward/contracts/kiosk";
import type { HookLight } from "../driver.ts";
import type { JournalEvent, LocalChange } from "../journal.ts";
import { type MessageCode, say } from "../messages.ts";
import type { SnapshotView, ViewKey } from "../snapshot.ts";
import { DOOR_RELEASE_SECONDS, type EngineOptions } from "./options.ts";
import type { Visit } from "./visit.ts";

/** The engine's state, and the steps on it that every part of a visit takes. */
export class EngineCore {
  view: SnapshotView | null = null;
  confirmedAt: number | null = null;
  readonly hooks = new Map<number, string | null>();
  visit: Visit | null = null;
  feedback: KioskState["feedback"] = null;
  feedbackId = 0;
  idleLanguage: KioskLanguage | null = null;
  door: { openedAt: number | null; heldReported: boolean; visitId: string | null } = {
    openedAt: null,
    heldReported: false,
    visitId: null,
  };
  /** Keys lifted with no visit open: hook → tag (their hook shows the alarm until they come back). */
  readonly unsessioned = new Map<number, string | null>();
  /** The hooks are to be compared with the journal once a snapshot is in force (at start). */
  reconcilePending = false;
  readonly doorReleaseSeconds: number;

  constructor(readonly options: EngineOptions) {
    this.doorReleaseSeconds = options.doorReleaseSeconds ?? DOOR_RELEASE_SECONDS;
  }

  /** Journals an event (and its local changes) and hands it to the sync once committed. */
  append(type: CabinetEventType, data: Record<string, unknown>, changes: LocalChange[] = []): JournalEvent {
    const event = this.options.journal.append(
      this.options.identity.deviceId,
      this.options.now().toISOString(),
      type,
      data,
      changes,
    );
    this.options.onAppended(event);
    return event;
  }

  /** Opens a new visit (a factor presented, or a PIN to choose), in the language chosen at idle. */
  openVisit(): Visit {
    const visit: Visit = {
      id: randomUUID(),
      stage: "identify",
      factors: [],
      presented: [],
      pinHash: null,
      openedAt: this.nowMs(),
      personId: null,
      identified: false,
      closed: false,
      lastActionAt: this.nowMs(),
      language: this.idleLanguage,
      waitSeconds: null,
      denied: null,
      doneMessage: null,
      unitNumber: null,
      selected: [],
      autoPicked: null,
      grant: null,
      pinSetup: null,
      witness: null,
      wrongLifted: new Map(),
      returning: null,
      returned: [],
    };
    this.visit = visit;
    return visit;
  }

  /** Closes a visit on its "done" screen. */
  finish(visit: Visit): void {
    visit.stage = "done";
    visit.closed = true;
    visit.doneMessage = say("done", this.language());
  }

  /** Shows a refusal; one that sends the person back to idle closes the visit. */
  deny(visit: Visit, code: string, message: string, next: "idle" | "menu"): void {
    visit.stage = "denied";
    visit.denied = { code, message, next };
    if (next === "idle") {
      visit.closed = true;
    }
  }

  /** Ends the visit: wrongly lifted keys leave with the person, lit hooks go dark, the door locks if shut. */
  async endVisit(): Promise<void> {
    const visit = this.visit;
    if (visit) {
      if (!visit.closed) {
        this.takeWrongLifted(visit);
      }
      for (const h of visit.grant?.hooks ?? []) {
        if (!h.taken) {
          await this.light(h.hook, "off");
        }
      }
      if (visit.returning) {
        await this.light(visit.returning.hook, "off");
      }
      if (!this.options.driver.door().open) {
        await this.options.driver.lockDoor();
      }
    }
    this.visit = null;
    this.idleLanguage = null;
  }

  /**
   * Keys lifted in this visit without being granted and still off their hooks leave with the person, whatever the
   * visit was for (a take, a return): each becomes an unauthorised take in their name.
   */
  takeWrongLifted(visit: Visit): void {
    for (const [hook, tag] of visit.wrongLifted) {
      const key = this.keyOfTag(tag);
      if (key) {
        const checkoutId = randomUUID();
        this.append(
          "key.taken",
          {
            visitId: visit.id,
            checkoutId,
            keyId: key.id,
            hook,
            personId: visit.personId,
            authorized: false,
            reasonCodeId: visit.grant?.reasonCodeId ?? null,
            workOrder: visit.grant?.workOrder ?? null,
            dueAt: null,
          },
          [
            {
              kind: "checkout",
              checkout: {
                checkoutId,
                keyId: key.id,
                personId: visit.personId,
                hook,
                outAt: this.options.now().toISOString(),
                dueAt: null,
              },
            },
          ],
        );
      }
      visit.wrongLifted.delete(hook);
    }
  }

  /** Keeps the visit alive: a touch or a driver event resets its idle timeout. */
  touch(): void {
    if (this.visit) {
      this.visit.lastActionAt = this.nowMs();
    }
  }

  /** Sets a hook's light. */
  async light(hook: number, light: HookLight): Promise<void> {
    await this.options.driver.setHookLight(hook, light);
  }

  /** Sets the feedback the kiosk shows once (a new id each time). */
  setFeedback(tone: "accept" | "refuse", message: string | null): void {
    this.feedbackId += 1;
    this.feedback = { id: this.feedbackId, tone, message };
  }

  /** Accepts a step: the accepting beep, and a message if there is one. */
  async accept(message: string | null): Promise<void> {
    this.setFeedback("accept", message);
    await this.options.driver.beep("accept");
  }

  /** Refuses a step: the refusing beep, and a message if there is one. */
  async beepRefuse(message: string | null): Promise<void> {
    this.setFeedback("refuse", message);
    await this.options.driver.beep("refuse");
  }

  /** Refuses a step with one of the agent's own messages. */
  async refuse(code: MessageCode): Promise<void> {
    await this.beepRefuse(say(code, this.language()));
  }

  /** The language of the screen: the visit's choice, the one made at idle, or the property's. */
  language(): KioskLanguage {
    return this.visit?.language ?? this.idleLanguage ?? this.view?.body.settings.language ?? "en";
  }

  /** The engine's clock, in milliseconds. */
  nowMs(): number {
    return this.options.now().getTime();
  }

  /** The snapshot's person with this id, if any. */
  person(personId: string | null) {
    return personId === null ? undefined : this.view?.body.people.find((p) => p.id === personId);
  }

  /** The hook a tag hangs on now, if it hangs. */
  hookOf(tag: string): number | null {
    for (const [hook, t] of this.hooks) {
      if (t === tag) {
        return hook;
      }
    }
    return null;
  }

  /** The keys a person holds now: the snapshot's, less those returned here since, plus those taken here since. */
  keysOutOf(personId: string): Set<string> {
    const { journal } = this.options;
    const returned = journal.localReturns();
    const out = new Set((this.person(personId)?.keysOut ?? []).filter((id) => !returned.has(id)));
    for (const c of journal.localCheckouts()) {
      if (c.personId === personId) {
        out.add(c.keyId);
      }
    }
    return out;
  }

  /** Minutes since the server last confirmed the snapshot in force, if it ever did. */
  ageMinutes(): number | null {
    return this.confirmedAt === null ? null : Math.max(0, Math.floor((this.nowMs() - this.confirmedAt) / 60_000));
  }

  /** Why keys may not be given out now, if they may not: the snapshot is too old, or the cabinet is archived. */
  takingStopped(): "snapshot_expired" | "cabinet_archived" | null {
    if (this.expired()) {
      return "snapshot_expired";
    }
    return this.view?.body.cabinet.status === "archived" ? "cabinet_archived" : null;
  }

  /** Whether the snapshot is past the property's maximum offline age (or there is none). */
  expired(): boolean {
    const view = this.view;
    if (view === null || this.confirmedAt === null) {
      return view === null;
    }
    return this.nowMs() - this.confirmedAt > view.body.property.maxOfflineMinutes * 60_000;
  }

  /** Journals `cabinet.snapshot_expired` once per expiry. */
  async reportExpiry(): Promise<void> {
    if (this.view === null || !this.expired() || this.confirmedAt === null) {
      return;
    }
    const { journal } = this.options;
    const marker = new Date(this.confirmedAt).toISOString();
    if (journal.flag("expired_reported") === marker) {
      return;
    }
    journal.setFlag("expired_reported", marker);
    this.append("cabinet.snapshot_expired", { version: this.view.body.version, ageMinutes: this.ageMinutes() ?? 0 });
    this.options.logger.warn("the snapshot is past the property's maximum offline age: ordinary access stopped");
  }

  /** The snapshot's key with this tag, if the tag is one. */
  keyOfTag(tag: string | null): ViewKey | undefined {
    return tag === null ? undefined : this.view?.keysByTag.get(tag);
  }

  /**
   * Where the server will believe a key hangs once it has every event journalled here: the hook the journal last
   * put it on, or out (null); with no event since the snapshot, where the snapshot has it.
   */
  serverHookOf(key: ViewKey): number | null {
    const place = this.options.journal.keyPlace(key.id);
    if (place !== undefined) {
      return place;
    }
    return key.status === "in" ? key.snapshotHook : null;
  }

  /** Whether a person may act at this cabinet: active, with an active profile assignment at this property. */
  allowedHere(personId: string): boolean {
    const person = this.person(personId);
    const view = this.view;
    return (
      person?.status === "active" &&
      view !== null &&
      view.grants.some((g) => g.assignment.personId === personId && g.assignment.status === "active")
    );
  }
}
