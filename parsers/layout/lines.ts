// Runs → text lines: group runs that overlap vertically, top to bottom, then join each line's runs
// left to right. Used inside a cell and for the text outside tables.
import type { TextRun } from "../pdf/pageModel.ts";
import type { LayoutSettings } from "./settings.ts";

export interface TextLine {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  runs: TextRun[];
}

/** The font size to measure gaps with; some producers report 0 or 1 (size baked into the matrix). */
export function effectiveFontSize(run: TextRun): number {
  const h = run.y1 - run.y0;
  return run.fontSize > 1 ? run.fontSize : h > 0 ? h : 10;
}

/** Vertical overlap of two boxes as a share of the shorter height (0 when they do not overlap). */
export function verticalOverlapRatio(a: { y0: number; y1: number }, b: { y0: number; y1: number }): number {
  const overlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  const shorter = Math.min(a.y1 - a.y0, b.y1 - b.y0);
  if (shorter <= 0) return overlap >= 0 ? 1 : 0;
  return Math.max(0, overlap) / shorter;
}

/**
 * Some producers draw a glyph twice, a fraction of a point apart (fake bold); keep the first copy.
 */
export function dropDuplicateRuns(runs: readonly TextRun[]): TextRun[] {
  // Bucket kept runs by 1-pt cell so each run is compared with its few neighbours only: linear in
  // the runs of a page (a page can carry tens of thousands). The cell key is a number (no string
  // built per probe); two cells sharing a key only cost a comparison, the test below is exact.
  const buckets = new Map<number, TextRun[]>();
  const cellKey = (x: number, y: number) => x * 1_048_576 + y;
  const kept: TextRun[] = [];
  for (const r of runs) {
    const bx = Math.floor(r.x0);
    const by = Math.floor(r.y0);
    let dup = false;
    for (let dx = -1; dx <= 1 && !dup; dx++) {
      for (let dy = -1; dy <= 1 && !dup; dy++) {
        const near = buckets.get(cellKey(bx + dx, by + dy));
        if (near) dup = near.some((k) => k.text === r.text && Math.abs(k.x0 - r.x0) < 1 && Math.abs(k.y0 - r.y0) < 1 && Math.abs(k.x1 - r.x1) < 1);
      }
    }
    if (dup) continue;
    kept.push(r);
    const key = cellKey(bx, by);
    const list = buckets.get(key);
    if (list) list.push(r);
    else buckets.set(key, [r]);
  }
  return kept;
}

/** Groups runs into lines by vertical overlap; lines come top to bottom, runs in a line left to right. */
export function groupRunsIntoLines(runs: readonly TextRun[], settings: Pick<LayoutSettings, "lineOverlapRatio">): TextRun[][] {
  const sorted = dropDuplicateRuns(runs.filter((r) => r.text.trim() !== "")).sort(
    (a, b) => (a.y0 + a.y1) / 2 - (b.y0 + b.y1) / 2 || a.x0 - b.x0,
  );
  const lines: { y0: number; y1: number; runs: TextRun[] }[] = [];
  for (const r of sorted) {
    // Runs are visited by their vertical centre, so only the most recent lines can still overlap.
    let target: (typeof lines)[number] | undefined;
    for (let i = lines.length - 1; i >= 0 && i >= lines.length - 3; i--) {
      const l = lines[i]!;
      if (verticalOverlapRatio(l, r) >= settings.lineOverlapRatio) {
        target = l;
        break;
      }
    }
    if (target) {
      target.runs.push(r);
      target.y0 = Math.min(target.y0, r.y0);
      target.y1 = Math.max(target.y1, r.y1);
    } else {
      lines.push({ y0: r.y0, y1: r.y1, runs: [r] });
    }
  }
  return lines.map((l) => l.runs.sort((a, b) => a.x0 - b.x0));
}

/**
 * Full-width punctuation (、。，：；（）《》“”) sits in its own em box with blank space that some producers
 * emit as a gap; a space next to it never carries meaning (`事务受理 、社区管理`).
 */
const FULL_WIDTH_PUNCT = /[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f]/;

/**
 * Joins one line's runs (already left to right). A single space goes between two runs when the gap
 * exceeds spaceGapRatio × font size, neither side already ends/starts with whitespace and neither
 * side is full-width punctuation; the runs' own characters (including their inner spaces) are kept verbatim.
 */
export function joinRuns(runs: readonly TextRun[], settings: Pick<LayoutSettings, "spaceGapRatio">): string {
  let text = "";
  let prev: TextRun | undefined;
  for (const r of runs) {
    if (prev) {
      const gap = r.x0 - prev.x1;
      const size = Math.min(effectiveFontSize(prev), effectiveFontSize(r));
      if (gap > settings.spaceGapRatio * size && !/\s$/.test(text) && !/^\s/.test(r.text) && !FULL_WIDTH_PUNCT.test(text.slice(-1) + r.text.charAt(0))) text += " ";
    }
    text += r.text;
    prev = r;
  }
  return text.trim();
}

export function runsToLines(
  runs: readonly TextRun[],
  settings: Pick<LayoutSettings, "lineOverlapRatio" | "spaceGapRatio">,
): TextLine[] {
  return groupRunsIntoLines(runs, settings).map((lineRuns) => ({
    text: joinRuns(lineRuns, settings),
    x0: Math.min(...lineRuns.map((r) => r.x0)),
    y0: Math.min(...lineRuns.map((r) => r.y0)),
    x1: Math.max(...lineRuns.map((r) => r.x1)),
    y1: Math.max(...lineRuns.map((r) => r.y1)),
    runs: lineRuns,
  }));
}
