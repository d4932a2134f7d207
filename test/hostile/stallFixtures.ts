// Inputs that only a worker thread can stop (see functions/shared/parseInWorker.ts). Both are tiny
// files that make pdfjs work synchronously inside one content-stream pass, so the parser's own
// page timer (a setTimeout in the same thread) cannot fire until the page is done:
// - stall: one path of 20 million `l` segments (175 KB Flate), then a line of text: ~20 s of CPU
//   in one pass with a 100 ms timer firing 11 times (memory grows ~50 MB/s: 2.2 GB RSS by the end);
// - memory: one Tj string of 20 million characters (20 KB Flate): pdfjs builds a glyph object per
//   character and a text item over them — over 2 GB RSS in-process, a dead 2 GB Lambda.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PdfWriter, simpleDocument } from "../../fixtures/hostile/pdfWriter.ts";

/** One page whose content is a single path of `segments` line segments (stroked). */
export function stallPath(segments = 20_000_000): Uint8Array {
  const w = new PdfWriter();
  return simpleDocument({ pages: 1, contents: w.stream("0 0 m " + "1 1 l ".repeat(segments) + "S\nBT /F1 12 Tf 72 800 Td (2025) Tj ET") });
}

/** One page showing one string of `chars` characters. */
export function memoryString(chars = 20_000_000): Uint8Array {
  const w = new PdfWriter();
  return simpleDocument({ pages: 1, contents: w.stream("BT /F1 1 Tf 10 10 Td (" + "ab".repeat(chars / 2) + ") Tj ET") });
}

export const STALL_CASES = {
  "stall-path": { what: "one path of 20 million segments (175 KB): pdfjs spins ~20 s without yielding to timers", make: () => stallPath() },
  "memory-string": { what: "one Tj string of 20 million characters (20 KB): > 2 GB in-process", make: () => memoryString() },
} as const;

export type StallCase = keyof typeof STALL_CASES;

/** Writes the case into `dir` and returns its path. */
export function writeStallCase(dir: string, name: StallCase): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, STALL_CASES[name].make());
  return file;
}
