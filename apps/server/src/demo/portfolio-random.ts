/**
 * The generator's only source of chance: a seeded xoroshiro128+ (pure-rand) with the few distributions a portfolio
 * needs, and identifiers drawn from it. Same seed, same calls → same values, on every machine.
 */
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Mixes numbers into one 32-bit seed (murmur3's finalizer over each), so sub-streams of one seed do not overlap. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A seeded stream of random values. */
export class Random {
  private readonly rng: RandomGenerator;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** 32 random bits as an unsigned integer. */
  uint32(): number {
    return this.rng.next() >>> 0;
  }

  /** A number in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [from, to], both included. */
  int(from: number, to: number): number {
    return from + Math.floor(this.float() * (to - from + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One item of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    const item = list[Math.floor(this.float() * list.length)];
    if (item === undefined) {
      throw new RangeError("cannot pick from an empty list");
    }
    return item;
  }

  /** An index drawn in proportion to `weights`. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) {
      total += w;
    }
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] ?? 0;
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** A standard normal value (Box–Muller). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** A log-normal value with the given median and shape (σ of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** A Poisson count with mean `lambda` (exact below 30, normal approximation above). */
  poisson(lambda: number): number {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda >= 30) {
      return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.uint32() & 0xff;
    }
    return out;
  }

  /**
   * A UUIDv7 (RFC 9562) for an instant: 48 bits of milliseconds, then random bits.
   * why: ids that grow with time keep inserts into their unique indexes sequential, and sort like the history
   */
  uuid7(ms: number): string {
    const t = Math.max(0, Math.floor(ms));
    const high = Math.floor(t / 0x10000);
    const low = t % 0x10000;
    const a = this.uint32();
    const b = this.uint32();
    const c = this.uint32();
    const h8 = (v: number) => (v >>> 0).toString(16).padStart(8, "0");
    const h4 = (v: number) => (v & 0xffff).toString(16).padStart(4, "0");
    return (
      `${h8(high)}-${h4(low)}-${h4(0x7000 | (a & 0x0fff))}-${h4(0x8000 | ((a >>> 12) & 0x3fff))}-` +
      `${HEX[b & 0xff]}${HEX[(b >>> 8) & 0xff]}${h8(c)}`
    );
  }
}
