import { describe, expect, it } from "vitest";
import { createAlertTracker } from "./alerts.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 15, minute)).toISOString();
const alert = (id: string, minute: number, status: "open" | "acknowledged" | "resolved" = "open") => ({
  id,
  openedAt: at(minute),
  status,
});

describe("createAlertTracker", () => {
  it("never announces the first answer, however recent its alerts", () => {
    const tracker = createAlertTracker();
    expect(tracker.fresh([alert("a", 59), alert("b", 10)], 10)).toEqual([]);
    expect(tracker.fresh([alert("a", 59), alert("b", 10)], 10)).toEqual([]);
  });

  it("announces an alert that opens later, once, oldest first when several arrive together", () => {
    const tracker = createAlertTracker();
    tracker.fresh([alert("a", 0)], 10);
    expect(tracker.fresh([alert("c", 7), alert("b", 5), alert("a", 0)], 10)).toEqual(["b", "c"]);
    expect(tracker.fresh([alert("c", 7), alert("b", 5), alert("a", 0)], 10)).toEqual([]);
  });

  it("announces the first alert after an empty start", () => {
    const tracker = createAlertTracker();
    tracker.fresh([], 10);
    expect(tracker.fresh([alert("a", 1)], 10)).toEqual(["a"]);
  });

  it("does not announce an older alert that surfaces when a full first list shrinks", () => {
    const tracker = createAlertTracker();
    tracker.fresh([alert("a", 30), alert("b", 20)], 2);
    // "a" resolved: "old", opened before the page loaded, moves up into the list
    expect(tracker.fresh([alert("b", 20), alert("old", 5)], 2)).toEqual([]);
    expect(tracker.fresh([alert("new", 40), alert("b", 20)], 2)).toEqual(["new"]);
  });

  it("does not announce an alert already resolved when first seen", () => {
    const tracker = createAlertTracker();
    tracker.fresh([], 10);
    expect(tracker.fresh([alert("gone", 3, "resolved"), alert("ack", 4, "acknowledged")], 10)).toEqual(["ack"]);
  });
});
