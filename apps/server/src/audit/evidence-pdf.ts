/**
 * The evidence packet for people: a PDF that says, for one unit and period, every time one of its keys left and came
 * back — who took it, when, why, under which work order, who returned it and how long it was out — with the
 * checkpoint it rests on and how a third party verifies the JSON packet that goes with it. English, the standard
 * Helvetica fonts (nothing is fetched or read from disk), times in the property's time zone with the zone named.
 */
import type { EvidencePacket, EvidenceVisit } from "@keyward/domain/evidence-packet";
import {
  type Content,
  type DocumentDefinition,
  durationText,
  localStamp,
  pdfmake,
  type TableCell,
} from "../pdf/pdfmake.ts";

const HEADER = ["Key", "Taken by", "Taken at", "Reason", "Work order", "Returned at", "Returned by", "Duration"];

function visitRow(v: EvidenceVisit, zone: string): TableCell[] {
  return [
    v.key.label || `key ${v.key.id}`,
    v.takenBy?.name ?? (v.authorized ? "unknown person" : "no one identified (removed without a session)"),
    localStamp(v.takenAt, zone),
    v.reason ? v.reason.label || `reason ${v.reason.id} (no longer on record)` : "none given",
    v.workOrder ?? "",
    v.returnedAt ? localStamp(v.returnedAt, zone) : "not returned",
    v.returnedAt ? (v.returnedBy?.name ?? "no one identified") : "",
    v.durationSeconds === null ? "still out" : durationText(v.durationSeconds),
  ];
}

function fact(label: string, value: string): Content {
  return {
    columns: [
      { text: label, bold: true, width: 150 },
      { text: value, width: "*" },
    ],
    margin: [0, 1, 0, 1],
  };
}

/** The document definition (exported so its structure can be read without rendering). */
export function evidenceDocument(packet: EvidencePacket): DocumentDefinition {
  const zone = packet.property.timeZone;
  const unit = packet.unit.building ? `${packet.unit.number} (${packet.unit.building.name})` : packet.unit.number;
  const visits = packet.visits.items;
  const keyName = packet.checkpoint.verifierKey.split("+").slice(0, 2).join("+");
  return {
    pageSize: "LETTER",
    pageOrientation: "landscape",
    pageMargins: [40, 40, 40, 50],
    info: {
      title: `Key evidence: unit ${packet.unit.number}, ${packet.period.firstDay} to ${packet.period.lastDay}`,
      author: packet.organization.name,
      creator: "Keyward",
    },
    defaultStyle: { font: "Helvetica", fontSize: 9 },
    footer: (current: number, count: number): Content => ({
      columns: [
        { text: `${packet.organization.name} · unit ${packet.unit.number}`, fontSize: 8, color: "#555555" },
        { text: `page ${current} of ${count}`, alignment: "right", fontSize: 8 },
      ],
      margin: [40, 15, 40, 0],
    }),
    content: [
      { text: `Key evidence for unit ${packet.unit.number}`, fontSize: 16, bold: true, margin: [0, 0, 0, 8] },
      fact("Organization", packet.organization.name),
      fact("Property", packet.property.name),
      fact("Unit", unit),
      fact("Period", `${packet.period.firstDay} to ${packet.period.lastDay}, both days included`),
      fact("Time zone", `All times are in ${zone}, the property's time zone`),
      fact(
        "Generated",
        `${localStamp(packet.generatedAt, zone)} (${zone}) by ${packet.generatedBy.name}, ${packet.generatedBy.role}`,
      ),
      fact(
        "Audit checkpoint",
        `log size ${packet.checkpoint.size}, root ${packet.checkpoint.rootHash}, signed by ${keyName}`,
      ),
      fact("Entries proven", `${packet.entries.length} audit log entries, each with an inclusion proof`),
      {
        text: `Every time a key of this unit left the cabinet during the period (${visits.length})`,
        fontSize: 12,
        bold: true,
        margin: [0, 14, 0, 6],
      },
      visits.length === 0
        ? { text: "No key of this unit left a cabinet during this period.", italics: true }
        : {
            table: {
              // why: a long history runs over several pages; each page repeats the header so a page read alone is clear
              headerRows: 1,
              dontBreakRows: true,
              widths: [70, 95, 75, "*", 65, 75, 95, 55],
              body: [
                HEADER.map((text): TableCell => ({ text, bold: true, fillColor: "#e8e8e8" })),
                ...visits.map((v) => visitRow(v, zone)),
              ],
            },
            layout: "lightHorizontalLines",
          },
      {
        text:
          "Times a key was taken or returned are the cabinet's clock. A visit that began before the period or ended " +
          "after it is listed whole, under the unit its key belonged to when it left. Who took and returned a key are " +
          "the names the log recorded at the time; key labels and reason labels are as the organization's records " +
          "held them when this document was made, and are not covered by the proofs below.",
        fontSize: 8,
        color: "#555555",
        margin: [0, 6, 0, 0],
      },
      { text: "How to verify this record", fontSize: 12, bold: true, margin: [0, 16, 0, 6] },
      {
        text:
          "This document is a summary for reading. The evidence is the JSON packet issued with it, which holds the " +
          `${packet.entries.length} entries of Keyward's tamper-evident audit log about this unit and its keys, each ` +
          `with a proof that it is in the log as signed at size ${packet.checkpoint.size}. Anyone can check the ` +
          "packet offline, without access to Keyward or its database, with this command:",
      },
      // why: on a line of its own and unbroken, so it can be typed as printed
      {
        text: "keyward audit verify-packet FILE.json --key VERIFIER_KEY",
        bold: true,
        noWrap: true,
        margin: [20, 6, 0, 6],
      },
      {
        text: [
          "where VERIFIER_KEY is the audit verifier key the organization publishes. The checkpoint of this packet was ",
          "signed with the key ",
          { text: packet.checkpoint.verifierKey, bold: true },
          ". Changing any entry or its position in the log, altering a proof or the checkpoint, or adding, removing or ",
          "changing a visit so that it no longer matches the entries makes the verification fail. A packet proves what ",
          "it contains, not that nothing was left out: a third party who needs completeness checks the unit's keys ",
          "against the whole log with keyward audit verify.",
        ],
      },
    ],
  };
}

/** Renders the packet's PDF. */
export function renderEvidencePdf(packet: EvidencePacket): Promise<Buffer> {
  return pdfmake.createPdf(evidenceDocument(packet)).getBuffer();
}
