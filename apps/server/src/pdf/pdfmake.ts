/**
 * pdfmake, set up once for every PDF the server writes (evidence packets, reports): the standard Helvetica fonts
 * built into the PDF library, nothing fetched or read from disk, and the wall-clock and duration forms people read.
 */
import { createRequire } from "node:module";
import { localTime } from "@keyward/domain/schedule";

/** A node of a pdfmake document: text, or an object of pdfmake's document definition (pdfmake checks its shape). */
export type Content = string | { [property: string]: unknown };
export type TableCell = Content;

/** The part of a pdfmake document definition this module writes. */
export interface DocumentDefinition {
  pageSize: string;
  pageOrientation: "landscape" | "portrait";
  pageMargins: [number, number, number, number];
  info: { title: string; author: string; creator: string };
  defaultStyle: { font: string; fontSize: number };
  footer: (current: number, count: number) => Content;
  content: Content[];
}

/** The part of pdfmake 0.3's server API used here. */
interface PdfMake {
  setFonts(fonts: Record<string, Record<"normal" | "bold" | "italics" | "bolditalics", string>>): void;
  setUrlAccessPolicy(allow: (url: string) => boolean): void;
  setLocalAccessPolicy(allow: (path: string) => boolean): void;
  createPdf(document: DocumentDefinition): { getBuffer(): Promise<Buffer> };
}

// why: loaded through require with the narrow interface above; @types/pdfmake pulls the DOM library into every
// file of the server (its ReadableStream then lacks Node's async iterator), so it is not used
export const pdfmake = createRequire(import.meta.url)("pdfmake") as PdfMake;

const HELVETICA = {
  normal: "Helvetica",
  bold: "Helvetica-Bold",
  italics: "Helvetica-Oblique",
  bolditalics: "Helvetica-BoldOblique",
} as const;
const STANDARD_FONTS: ReadonlySet<string> = new Set(Object.values(HELVETICA));
pdfmake.setFonts({ Helvetica: HELVETICA });
// why: a document holds text people typed (names, work orders); nothing in it may make the renderer fetch or read a
// file. The standard fonts are built into the PDF library and pass the local check by name only.
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => STANDARD_FONTS.has(path));

/** An instant as the property's wall clock: "2026-06-01 10:05". */
export function localStamp(iso: string, timeZone: string): string {
  const t = localTime(new Date(iso), timeZone);
  const hh = String(Math.floor(t.minutes / 60)).padStart(2, "0");
  const mm = String(t.minutes % 60).padStart(2, "0");
  return `${t.date} ${hh}:${mm}`;
}

/** A duration for people: "45 min", "2 h 5 min", "3 d 4 h", "under 1 min". */
export function durationText(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) {
    return "under 1 min";
  }
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) {
    return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  }
  if (hours > 0) {
    return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  }
  return `${rest} min`;
}
