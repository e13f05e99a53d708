import { describe, expect, it } from "vitest";
import { parseLiveMessage, queryKeysFor, reconnectDelay } from "./live.ts";

describe("queryKeysFor", () => {
  it("refreshes the board, the home counts and the key pages for a checkout change", () => {
    expect(queryKeysFor(["checkouts"])).toEqual([["checkouts"], ["overview"]]);
  });

  it("refreshes hook grids with keys, and cabinet states with cabinets, each prefix once", () => {
    expect(queryKeysFor(["keys", "cabinets", "checkouts"])).toEqual([
      ["keys"],
      ["cabinets", "hooks"],
      ["overview"],
      ["cabinet-states"],
      ["cabinets"],
      ["remote-releases"],
      ["checkouts"],
    ]);
  });

  it("refreshes the bell, the alert lists and an alert's page for an alert change", () => {
    expect(queryKeysFor(["alerts"])).toEqual([["alerts"]]);
  });

  it("refreshes nothing for no topic", () => {
    expect(queryKeysFor([])).toEqual([]);
  });
});

describe("parseLiveMessage", () => {
  it("reads a live message and drops topics it does not know", () => {
    const data = JSON.stringify({ topics: ["checkouts", "weather"], propertyId: "p1", at: "2026-06-01T15:00:00Z" });
    expect(parseLiveMessage(data)).toEqual({ topics: ["checkouts"], propertyId: "p1", at: "2026-06-01T15:00:00Z" });
  });

  it("ignores what is not a live message", () => {
    expect(parseLiveMessage("not json")).toBeNull();
    expect(parseLiveMessage(JSON.stringify({ type: "ping" }))).toBeNull();
    expect(parseLiveMessage("null")).toBeNull();
  });
});

describe("reconnectDelay", () => {
  it("doubles from one second and stops at thirty", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
