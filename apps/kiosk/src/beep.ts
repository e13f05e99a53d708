/**
 * The kiosk's audible feedback, synthesised with WebAudio so it ships no sound files: one short higher tone when a
 * step is accepted, two lower ones when it is refused.
 */
import type { KioskState } from "@keyward/contracts/kiosk";
import { useEffect, useRef } from "react";

type Tone = NonNullable<KioskState["feedback"]>["tone"];

/** The accepted step's tone (Hz): one short, high beep. */
export const ACCEPT_HZ = 1320;
/** The refused step's tone (Hz): two lower beeps. */
export const REFUSE_HZ = 330;

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof AudioContext === "undefined") {
    return null;
  }
  context ??= new AudioContext();
  return context;
}

/**
 * Browsers start audio suspended until a touch; the kiosk calls this on every touch so that the beep answering that
 * touch can sound.
 */
export function unlockAudio(): void {
  const ctx = audio();
  if (ctx && ctx.state === "suspended") {
    void ctx.resume();
  }
}

function blip(ctx: AudioContext, frequency: number, start: number, seconds: number): void {
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  oscillator.type = "square";
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.25, start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + seconds);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(start);
  oscillator.stop(start + seconds + 0.02);
}

/** Sounds the tone of an accepted or refused step. */
export function beep(tone: Tone): void {
  const ctx = audio();
  if (!ctx) {
    return;
  }
  const now = ctx.currentTime;
  if (tone === "accept") {
    blip(ctx, ACCEPT_HZ, now, 0.12);
  } else {
    blip(ctx, REFUSE_HZ, now, 0.15);
    blip(ctx, REFUSE_HZ, now + 0.22, 0.15);
  }
}

/** Beeps whenever the agent reports a new accepted or refused step (a new `feedback.id`), never on first paint. */
export function useFeedbackBeep(feedback: KioskState["feedback"] | undefined): void {
  const seen = useRef<number | null | undefined>(undefined);
  useEffect(() => {
    if (feedback === undefined) {
      return;
    }
    const id = feedback?.id ?? null;
    if (seen.current !== undefined && id !== null && id !== seen.current) {
      beep(feedback?.tone ?? "accept");
    }
    seen.current = id;
  }, [feedback]);
}
