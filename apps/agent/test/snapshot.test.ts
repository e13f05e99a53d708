import { canonicalJson, generateSigningKeyPair, signMessage, snapshotMessage } from "@keyward/domain/event-chain";
import { describe, expect, it } from "vitest";
import { SnapshotRejected, verifySnapshot, viewOf } from "../src/snapshot.ts";
import { CABINET_ID, snapshotBody } from "./cabinet-factory.ts";

async function signed(secretKey: string, overrides: Record<string, unknown> = {}) {
  const body = canonicalJson({
    ...(await snapshotBody({ people: [{ id: "ana", badge: "1001" }], keys: [{ id: "k1", unit: "101", hook: 1 }] })),
    ...overrides,
  });
  return { version: 1, body, signature: signMessage(secretKey, snapshotMessage(body)) };
}

describe("verifySnapshot", () => {
  const server = generateSigningKeyPair();

  it("accepts a snapshot the server signed for this cabinet and indexes it", async () => {
    const body = verifySnapshot(await signed(server.secretKey), server.publicKey, CABINET_ID);
    const view = viewOf(body);
    expect(view.personOfBadge("1001")).toBe("ana");
    expect(view.personOfBadge("1002")).toBeNull();
    expect(view.keysByTag.get("TAG-k1")?.snapshotHook).toBe(1);
  });

  it("refuses a snapshot signed by another key", async () => {
    const forger = generateSigningKeyPair();
    await expect(signed(forger.secretKey).then((s) => verifySnapshot(s, server.publicKey, CABINET_ID))).rejects.toThrow(
      SnapshotRejected,
    );
  });

  it("refuses a snapshot meant for another cabinet", async () => {
    const s = await signed(server.secretKey);
    expect(() => verifySnapshot(s, server.publicKey, "another-cabinet")).toThrow("another cabinet");
  });

  it("refuses a signed body that does not parse", async () => {
    const s = await signed(server.secretKey, { people: "nobody" });
    expect(() => verifySnapshot(s, server.publicKey, CABINET_ID)).toThrow(SnapshotRejected);
  });
});
