import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ChainedEvent,
  canonicalJson,
  chainEvent,
  chainHeadMessage,
  checkBatch,
  eventHash,
  fromBase64Url,
  GENESIS_HASH,
  generateSigningKeyPair,
  publicKeyOf,
  signMessage,
  toBase64Url,
  verifyMessage,
} from "./event-chain.ts";

const DEVICE = "device-1";

const arbEvent = fc.record({
  occurredAt: fc
    .date({ min: new Date("2026-01-01"), max: new Date("2027-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  type: fc.constantFrom("key.taken", "key.returned", "door.opened", "door.closed"),
  data: fc.dictionary(
    fc.string({ maxLength: 8 }),
    fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
  ),
});

function buildChain(events: { occurredAt: string; type: string; data: Record<string, unknown> }[]): ChainedEvent[] {
  const chain: ChainedEvent[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (const event of events) {
    const next = chainEvent(DEVICE, head, event);
    chain.push(next);
    head = next;
  }
  return chain;
}

describe("canonicalJson (RFC 8785)", () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ n: 1.0, big: 1e21, small: 0.1 }, '{"big":1e+21,"n":1,"small":0.1}'],
    [{ s: "é\u2028" }, '{"s":"é\u2028"}'],
    [[3, { z: null, y: [true] }], '[3,{"y":[true],"z":null}]'],
  ])("writes %j as %s", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("does not depend on the order keys were written in", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });

  it("refuses a value JSON cannot carry", () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe("event chain", () => {
  it("starts at seq 1 on the genesis hash and links each event to the previous one", () => {
    const [first, second] = buildChain([
      { occurredAt: "2026-06-01T15:00:00.000Z", type: "door.opened", data: {} },
      { occurredAt: "2026-06-01T15:00:05.000Z", type: "door.closed", data: { openSeconds: 5 } },
    ]);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prevHash: first?.hash });
    expect(first?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("accepts every chain it builds", () => {
    fc.assert(
      fc.property(fc.array(arbEvent, { minLength: 1, maxLength: 20 }), (events) => {
        expect(checkBatch(DEVICE, buildChain(events))).toBeNull();
      }),
    );
  });

  it("detects any change to any field of any event", () => {
    fc.assert(
      fc.property(
        fc.array(arbEvent, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.constantFrom("occurredAt", "type", "data", "seq", "prevHash"),
        (events, at, field) => {
          const chain = buildChain(events);
          const index = at % chain.length;
          const original = chain[index] as ChainedEvent;
          const changes: Record<typeof field, Partial<ChainedEvent>> = {
            occurredAt: { occurredAt: "2020-01-01T00:00:00.000Z" },
            type: { type: original.type === "x.y" ? "x.z" : "x.y" },
            data: { data: { ...original.data, injected: true } },
            seq: { seq: original.seq + 100 },
            prevHash: { prevHash: "f".repeat(64) },
          };
          const changed: ChainedEvent = { ...original, ...changes[field] };
          chain[index] = changed;
          expect(checkBatch(DEVICE, chain)).not.toBeNull();
        },
      ),
    );
  });

  it("reports a reordering, a dropped event and a spliced foreign chain", () => {
    const chain = buildChain([
      { occurredAt: "2026-06-01T15:00:00.000Z", type: "a", data: {} },
      { occurredAt: "2026-06-01T15:00:01.000Z", type: "b", data: {} },
      { occurredAt: "2026-06-01T15:00:02.000Z", type: "c", data: {} },
    ]);
    const [a, b, c] = chain as [ChainedEvent, ChainedEvent, ChainedEvent];
    expect(checkBatch(DEVICE, [a, c, b])).toEqual({ problem: "not_consecutive", seq: 3 });
    expect(checkBatch(DEVICE, [a, c])).toEqual({ problem: "not_consecutive", seq: 3 });
    const foreign = chainEvent(
      DEVICE,
      { seq: 1, hash: "e".repeat(64) },
      { occurredAt: b.occurredAt, type: "b", data: {} },
    );
    expect(checkBatch(DEVICE, [a, foreign])).toEqual({ problem: "fork", seq: 2 });
  });

  it("binds each event to its device", () => {
    const [event] = buildChain([{ occurredAt: "2026-06-01T15:00:00.000Z", type: "a", data: {} }]);
    expect(checkBatch("device-2", [event as ChainedEvent])).toEqual({ problem: "bad_hash", seq: 1 });
    expect(eventHash("device-2", event as ChainedEvent)).not.toBe(event?.hash);
  });
});

describe("Ed25519 signatures", () => {
  const pair = generateSigningKeyPair();

  it("verifies what the key signed, and nothing else", () => {
    const message = chainHeadMessage(DEVICE, 7, "a".repeat(64));
    const signature = signMessage(pair.secretKey, message);
    expect(verifyMessage(pair.publicKey, message, signature)).toBe(true);
    expect(verifyMessage(pair.publicKey, chainHeadMessage(DEVICE, 8, "a".repeat(64)), signature)).toBe(false);
    expect(verifyMessage(generateSigningKeyPair().publicKey, message, signature)).toBe(false);
  });

  it("treats malformed keys and signatures as a failed verification, not an exception", () => {
    expect(verifyMessage("not base64!", "m", "sig")).toBe(false);
    expect(verifyMessage(pair.publicKey, "m", "AAAA")).toBe(false);
  });

  it("derives the public key from the secret key", () => {
    expect(publicKeyOf(pair.secretKey)).toBe(pair.publicKey);
    expect(fromBase64Url(pair.publicKey)).toHaveLength(32);
  });

  it("round-trips base64url for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });
});
