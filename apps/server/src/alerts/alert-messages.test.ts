import { describe, expect, it } from "vitest";
import {
  alertEmail,
  alertLink,
  alertSms,
  type DigestInput,
  digestEmail,
  digestIsEmpty,
  escalationLine,
  type MessageAlert,
  type MessageContext,
  SMS_LINE_LENGTH,
} from "./alert-messages.ts";

const context: MessageContext = { organizationName: "Acme Living", publicUrl: "https://keys.example.com" };

function alert(input: Partial<MessageAlert> = {}): MessageAlert {
  return {
    id: "a1",
    kind: "door_forced",
    severity: "critical",
    status: "open",
    title: "Door forced",
    summary: "The door of Lobby cabinet was forced open at 2026-06-01 22:05 (America/Chicago).",
    propertyName: "Oakwood",
    timeZone: "America/Chicago",
    openedAt: "2026-06-02T03:05:00.000Z",
    acknowledgedByName: null,
    escalateAfterMinutes: 15,
    ...input,
  };
}

describe("alertEmail", () => {
  it("names severity, title and property in the subject, and the time on the property's clock in the body", () => {
    const mail = alertEmail([alert()], "opened", context);
    expect(mail.subject).toBe("[Keyward] CRITICAL: Door forced — Oakwood");
    expect(mail.text).toContain("The door of Lobby cabinet was forced open");
    expect(mail.text).toContain("Property: Oakwood");
    // 03:05 UTC is 22:05 the evening before in Chicago (CDT)
    expect(mail.text).toContain("Opened: 2026-06-01 22:05 (America/Chicago)");
    expect(mail.text).toContain("Severity: critical");
    expect(mail.text).toContain("Open it: https://keys.example.com/alerts/a1");
    expect(mail.text).not.toContain("Escalated");
  });

  it("leaves the link out without a public URL", () => {
    const mail = alertEmail([alert()], "opened", { ...context, publicUrl: undefined });
    expect(mail.text).not.toContain("http");
    expect(alertLink(undefined, "a1")).toBeNull();
  });

  it("says why an alert escalated: nobody acknowledged it, or the key is still out", () => {
    const mail = alertEmail([alert()], "escalated", context);
    expect(mail.subject).toBe("[Keyward] CRITICAL (escalated): Door forced — Oakwood");
    expect(mail.text).toContain("Escalated: nobody acknowledged this alert within 15 minutes.");
    const overdue = alert({
      kind: "key_overdue",
      severity: "warning",
      title: "Key overdue",
      escalateAfterMinutes: 120,
    });
    expect(alertEmail([overdue], "escalated", context).text).toContain(
      "Escalated: the key is still out 120 minutes after it became overdue.",
    );
    expect(escalationLine({ kind: "door_forced", escalateAfterMinutes: null })).toBe(
      "Escalated: nobody acknowledged this alert in time.",
    );
  });

  it("tells several alerts to one address in one message, most severe first", () => {
    const mail = alertEmail(
      [
        alert({ id: "w", severity: "warning", title: "Key overdue", kind: "key_overdue" }),
        alert({ id: "c", title: "Door forced" }),
        alert({ id: "k", title: "Key removed without a session", kind: "key_removed_without_session" }),
      ],
      "opened",
      context,
    );
    expect(mail.subject).toMatch(/^\[Keyward\] 3 alerts at Oakwood: CRITICAL Door forced, CRITICAL Key removed/);
    expect(mail.text.indexOf("/alerts/c")).toBeLessThan(mail.text.indexOf("/alerts/w"));
    expect(mail.text).toContain("/alerts/k");
    const spread = alertEmail([alert(), alert({ id: "b", propertyName: "Maple Court" })], "opened", context);
    expect(spread.subject).toMatch(/^\[Keyward\] 2 alerts at 2 properties:/);
  });

  it("names the organization for its own alerts", () => {
    const mail = alertEmail(
      [alert({ propertyName: null, timeZone: "UTC", title: "Audit verification failed" })],
      "opened",
      context,
    );
    expect(mail.subject).toBe("[Keyward] CRITICAL: Audit verification failed — Acme Living");
    expect(mail.text).toContain("Opened: 2026-06-02 03:05 (UTC)");
  });

  it("refuses to tell of no alert", () => {
    expect(() => alertEmail([], "opened", context)).toThrow(RangeError);
  });
});

describe("alertSms", () => {
  it("is one line with the link", () => {
    const line = alertSms([alert()], "opened", context);
    expect(line).toMatch(/^Keyward CRITICAL: Door forced at Oakwood\. The door of Lobby cabinet/);
    expect(line.endsWith(" https://keys.example.com/alerts/a1")).toBe(true);
    expect(line).not.toContain("\n");
  });

  it("keeps within the limit, cutting the sentence and keeping the link whole", () => {
    const line = alertSms([alert({ summary: "x".repeat(1000) })], "escalated", context);
    expect(Array.from(line).length).toBe(SMS_LINE_LENGTH);
    expect(line).toContain("… https://keys.example.com/alerts/a1");
    expect(line.startsWith("Keyward ESCALATED CRITICAL")).toBe(true);
  });

  it("counts several alerts in one line", () => {
    const line = alertSms([alert(), alert({ id: "b", severity: "warning", title: "Key overdue" })], "opened", context);
    expect(line).toBe(
      "Keyward: 2 alerts at Oakwood: CRITICAL Door forced; WARNING Key overdue. https://keys.example.com/alerts",
    );
  });
});

describe("digestEmail", () => {
  const digest: DigestInput = {
    date: "2026-06-02",
    since: "2026-06-01T12:00:00.000Z",
    timeZone: "America/Chicago",
    groups: [
      { propertyName: null, counts: { info: 0, warning: 0, critical: 1 }, alerts: [alert({ propertyName: null })] },
      {
        propertyName: "Oakwood",
        counts: { info: 1, warning: 1, critical: 12 },
        alerts: [alert({ id: "o1", status: "acknowledged", acknowledgedByName: "Pat Manager" })],
      },
    ],
  };

  it("groups by property with counts per severity and says what it covers", () => {
    const mail = digestEmail(digest, context);
    expect(mail.subject).toBe("Keyward daily digest — 2026-06-02");
    expect(mail.text).toContain("Alerts opened since 2026-06-01 07:00 (America/Chicago), and those still open");
    expect(mail.text).toContain("In all, 15 alerts: 13 critical, 1 warning, 1 info.");
    expect(mail.text).toContain("Acme Living (the organization) — 1 alert: 1 critical, 0 warning, 0 info");
    expect(mail.text).toContain("Oakwood — 14 alerts: 12 critical, 1 warning, 1 info");
    expect(mail.text).toContain("acknowledged by Pat Manager");
    expect(mail.text).toContain("https://keys.example.com/alerts/o1");
    expect(mail.text).toContain("… and 13 more: https://keys.example.com/alerts");
    expect(mail.text.indexOf("Acme Living")).toBeLessThan(mail.text.indexOf("Oakwood —"));
  });

  it("is empty when no group counts an alert", () => {
    expect(digestIsEmpty(digest)).toBe(false);
    expect(digestIsEmpty({ ...digest, groups: [] })).toBe(true);
    expect(
      digestIsEmpty({
        ...digest,
        groups: [{ propertyName: "Oakwood", counts: { info: 0, warning: 0, critical: 0 }, alerts: [] }],
      }),
    ).toBe(true);
  });
});
