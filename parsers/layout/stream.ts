// Stream fallback: tables drawn without (full) ruling, found from text alignment alone
// (the idea of camelot's/pdfplumber's "text" strategy, shaped for budget tables).
//   runs → page lines → segments (runs split at wide gaps)              runsToStreamLines
//   lines → regions: blocks of close lines, most with ≥ 2 segments      findStreamRegions
//   region → column edges: x ranges left empty by (nearly) every line   regionToColEdges
//   region → rows: one per line, wrapped label lines merged, or the      regionToRows
//            bands between horizontal rules when the table has them
//   → the same RawTable as lattice, method "stream", every cell 1×1.
import type { PageModel, TextRun } from "../pdf/pageModel.ts";
import type { RawTable } from "./rawTable.ts";
import type { LayoutSettings } from "./settings.ts";
import type { Grid, GridCell } from "./tables.ts";
import { runChars } from "./assignText.ts";
import { effectiveFontSize, groupRunsIntoLines, joinRuns } from "./lines.ts";
import { mergeEdges, rulingsToEdges, type Edge } from "./edges.ts";
import { gridToRawTable } from "./rawTableFromGrid.ts";

export interface Segment {
  text: string;
  runs: TextRun[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface StreamLine {
  text: string;
  /** The original runs of the line (segments hold them split at wide gaps). */
  runs: TextRun[];
  segments: Segment[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  fontSize: number;
}

/** A classification code token: 201 / 06 / 2080505 / 30101. */
export const CODE = /^\d{2,7}$/;

/** An amount-like token: 1,057.99 / -3 / 14.68% / 0 / — (a dash printed for nothing). */
export const NUMERIC = /^[-−+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$|^[-—–]$/;

/** Cuts a run at whitespace stretches at least minGap wide (by proportional char width). */
export function splitRunAtWideSpaces(run: TextRun, minGap: number): TextRun[] {
  if (!/\S\s+\S/.test(run.text)) return [run];
  const chars = runChars(run);
  const isSpace = (i: number) => /\s/.test(chars[i]!.ch);
  const pieces: (typeof chars)[] = [];
  let cur: typeof chars = [];
  let i = 0;
  while (i < chars.length) {
    if (!isSpace(i)) {
      cur.push(chars[i++]!);
      continue;
    }
    let j = i;
    while (j < chars.length && isSpace(j)) j++;
    if (chars[j - 1]!.x1 - chars[i]!.x0 >= minGap) {
      if (cur.length > 0) pieces.push(cur);
      cur = [];
    } else if (cur.length > 0 && j < chars.length) {
      cur.push(...chars.slice(i, j));
    }
    i = j;
  }
  if (cur.length > 0) pieces.push(cur);
  if (pieces.length === 1 && pieces[0]!.length === chars.length) return [run];
  return pieces.map((p) => ({ ...run, text: p.map((c) => c.ch).join(""), x0: p[0]!.x0, x1: p[p.length - 1]!.x1 }));
}

export function runsToStreamLines(runs: readonly TextRun[], settings: LayoutSettings): StreamLine[] {
  return groupRunsIntoLines(runs, settings).map((lineRuns) => {
    const fontSize = median(lineRuns.map(effectiveFontSize));
    const minGap = settings.streamSegmentGapRatio * fontSize;
    const pieces = lineRuns.flatMap((r) => splitRunAtWideSpaces(r, minGap)).sort((a, b) => a.x0 - b.x0);
    const segments: Segment[] = [];
    let cur: TextRun[] = [];
    for (const p of pieces) {
      const last = cur[cur.length - 1];
      const gap = last ? p.x0 - last.x1 : 0;
      // A narrower gap also separates cells where a code meets a name (`01  行政运行`).
      const codeToName = last !== undefined && CODE.test(last.text.trim()) !== CODE.test(p.text.trim()) && gap >= settings.streamCodeGapRatio * fontSize;
      if (last && (gap >= minGap || codeToName)) {
        segments.push(toSegment(cur, settings));
        cur = [];
      }
      cur.push(p);
    }
    if (cur.length > 0) segments.push(toSegment(cur, settings));
    return {
      text: joinRuns(lineRuns, settings),
      runs: lineRuns,
      segments,
      x0: Math.min(...lineRuns.map((r) => r.x0)),
      y0: Math.min(...lineRuns.map((r) => r.y0)),
      x1: Math.max(...lineRuns.map((r) => r.x1)),
      y1: Math.max(...lineRuns.map((r) => r.y1)),
      fontSize,
    };
  });
}

function toSegment(runs: TextRun[], settings: LayoutSettings): Segment {
  return {
    text: joinRuns(runs, settings),
    runs,
    x0: Math.min(...runs.map((r) => r.x0)),
    y0: Math.min(...runs.map((r) => r.y0)),
    x1: Math.max(...runs.map((r) => r.x1)),
    y1: Math.max(...runs.map((r) => r.y1)),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 10;
}

const isTabular = (l: StreamLine, settings: LayoutSettings): boolean =>
  l.segments.length >= 2 && !settings.streamNonRowPatterns.some((re) => re.test(l.text));

/**
 * Blocks of vertically close lines that look like table rows. A block starts and ends on a line
 * with ≥ 2 segments; one-segment lines in between (wrapped labels, a spanning header) stay in it
 * unless they are wide like prose; it must hold streamMinRows multi-segment lines.
 */
export function findStreamRegions(lines: readonly StreamLine[], settings: LayoutSettings): StreamLine[][] {
  const blocks: StreamLine[][] = [];
  let cur: StreamLine[] = [];
  const close = () => {
    while (cur.length > 0 && !isTabular(cur[cur.length - 1]!, settings)) cur.pop();
    if (cur.filter((l) => isTabular(l, settings)).length >= settings.streamMinRows) blocks.push(cur);
    cur = [];
  };
  for (const l of lines) {
    const prev = cur[cur.length - 1];
    const gap = prev === undefined ? 0 : l.y0 - prev.y1;
    const size = prev === undefined ? l.fontSize : Math.max(l.fontSize, prev.fontSize);
    const far = prev !== undefined && gap > settings.streamMaxLineGapRatio * size;
    if (far) close();
    if (isTabular(l, settings)) {
      cur.push(l);
      continue;
    }
    if (cur.length === 0) continue; // a block never starts with a one-segment line
    const tab = cur.filter((x) => isTabular(x, settings));
    const width = Math.max(...tab.map((x) => x.x1)) - Math.min(...tab.map((x) => x.x0));
    const nonRow = settings.streamNonRowPatterns.some((re) => re.test(l.text));
    if (nonRow || l.x1 - l.x0 > settings.streamMaxSingleLineRatio * width) close();
    else cur.push(l);
  }
  close();
  return blocks;
}

/**
 * Column boundaries of a region: x stretches that (nearly) every multi-segment line leaves empty.
 * Returns [left, …inner boundaries…, right].
 */
export function regionToColEdges(region: readonly StreamLine[], settings: LayoutSettings): number[] {
  return mergeComplementaryColumns(region, gapColEdges(region, settings));
}

/**
 * Two neighbouring columns that no line fills both of are one column whose cells are aligned
 * differently: a centred header `金额` over right-aligned amounts leaves a gap between them.
 */
export function mergeComplementaryColumns(region: readonly StreamLine[], colEdges: number[]): number[] {
  const edges = [...colEdges];
  for (let k = 1; k < edges.length - 1; ) {
    const together = region.some((l) => {
      const cols = new Set(l.segments.map((s) => segCol(edges, s)));
      return cols.has(k - 1) && cols.has(k);
    });
    if (together) k++;
    else edges.splice(k, 1);
  }
  return edges;
}

function gapColEdges(region: readonly StreamLine[], settings: LayoutSettings): number[] {
  const tab = region.filter((l) => l.segments.length >= 2);
  const left = Math.min(...region.map((l) => l.x0));
  const right = Math.max(...region.map((l) => l.x1));
  const allowed = Math.floor(tab.length * (1 - settings.streamGapSupportRatio));
  // Sweep over segment ends: coverage = how many lines have ink at x.
  const events: [number, number][] = [];
  for (const l of tab) for (const s of l.segments) events.push([s.x0, 1], [s.x1, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const edges = [left];
  let depth = 0;
  let gapStart: number | undefined;
  for (const [x, d] of events) {
    const before = depth;
    depth += d;
    if (before > allowed && depth <= allowed) gapStart = x;
    else if (before <= allowed && depth > allowed && gapStart !== undefined) {
      if (x - gapStart > 0) edges.push((gapStart + x) / 2);
      gapStart = undefined;
    }
  }
  edges.push(right);
  return edges;
}

interface StreamRow {
  lines: StreamLine[];
}

const colOf = (colEdges: readonly number[], x: number): number => {
  for (let k = 1; k < colEdges.length - 1; k++) if (x < colEdges[k]!) return k - 1;
  return colEdges.length - 2;
};
const segCol = (colEdges: readonly number[], s: Segment) => colOf(colEdges, (s.x0 + s.x1) / 2);

/**
 * Rows of a region. With horizontal rules across the table, each band between rules is a row.
 * Otherwise one row per line, except that lines overlapping in height with disjoint columns are one
 * row (a vertically centred amount between the two lines of its wrapped label), and a label-only line (text in the first column, no amount) that
 * continues the previous row's label (indented under it, or the previous label filled its column)
 * is merged into it; if instead it fills the column itself and the next line is a label + amounts
 * row, it is the first half of that row's wrapped label.
 */
export function regionToRows(
  region: readonly StreamLine[],
  colEdges: readonly number[],
  rules: readonly Edge[],
  settings: LayoutSettings,
): StreamRow[] {
  const x0 = colEdges[0]!;
  const x1 = colEdges[colEdges.length - 1]!;
  const top = region[0]!.y0;
  const bottom = region[region.length - 1]!.y1;
  const fs = median(region.map((l) => l.fontSize));
  const across = rules
    .filter((e) => e.orientation === "h" && Math.min(e.to, x1) - Math.max(e.from, x0) >= settings.streamRuleSpanRatio * (x1 - x0))
    .map((e) => e.at)
    .filter((y) => y > top - fs && y < bottom + fs)
    .sort((a, b) => a - b);
  if (across.length >= 2) {
    const bands: StreamRow[] = [];
    const cuts = [Math.min(top, across[0]!), ...across, Math.max(bottom, across[across.length - 1]!)];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const lines = region.filter((l) => (l.y0 + l.y1) / 2 >= cuts[i]! && (l.y0 + l.y1) / 2 < cuts[i + 1]!);
      if (lines.length > 0) bands.push({ lines });
    }
    return bands;
  }

  const firstColRight = Math.max(
    ...region.flatMap((l) => l.segments.filter((s) => segCol(colEdges, s) === 0).map((s) => s.x1)),
    colEdges[0]!,
  );
  const labelOnly = (l: StreamLine) => l.segments.every((s) => segCol(colEdges, s) === 0 && !NUMERIC.test(s.text.trim()));
  const hasAmounts = (l: StreamLine) => l.segments.some((s) => segCol(colEdges, s) > 0 && NUMERIC.test(s.text.trim()));
  const fills = (l: StreamLine) => l.segments.some((s) => segCol(colEdges, s) === 0 && s.x1 >= firstColRight - 2 * l.fontSize);
  const labelX0 = (l: StreamLine) => Math.min(...l.segments.filter((s) => segCol(colEdges, s) === 0).map((s) => s.x0));

  const cols = (l: StreamLine) => new Set(l.segments.map((s) => segCol(colEdges, s)));
  const disjoint = (a: StreamLine, b: StreamLine) => {
    const ca = cols(a);
    return [...cols(b)].every((c) => !ca.has(c));
  };
  const rows: StreamRow[] = [];
  for (let i = 0; i < region.length; i++) {
    const l = region[i]!;
    const prev = rows[rows.length - 1];
    const prevLine = prev?.lines[prev.lines.length - 1];
    // Vertically centred cells: a wrapped label's lines straddle the line holding the row's code and
    // amounts, so the three lines overlap in height (they are closer than a line pitch) while
    // occupying different columns. Such lines are one row.
    if (prevLine && l.y0 < prevLine.y1 && disjoint(l, prevLine)) {
      prev!.lines.push(l);
      continue;
    }
    if (labelOnly(l) && prevLine) {
      const indented = labelX0(l) > labelX0(prevLine) + 0.5 * l.fontSize;
      if (Number.isFinite(labelX0(prevLine)) && (indented || fills(prevLine)) && hasAmounts(prev!.lines[0]!)) {
        prev!.lines.push(l);
        continue;
      }
      const next = region[i + 1];
      if (next && fills(l) && hasAmounts(next) && Number.isFinite(labelX0(next))) {
        rows.push({ lines: [l, next] });
        i++;
        continue;
      }
    }
    rows.push({ lines: [l] });
  }
  return rows;
}

/** Builds the RawTable of one region. */
export function regionToTable(
  region: readonly StreamLine[],
  pageNumber: number,
  rules: readonly Edge[],
  settings: LayoutSettings,
): RawTable | undefined {
  const colEdges = regionToColEdges(region, settings);
  if (colEdges.length - 1 < settings.streamMinCols) return undefined;
  const multiCol = region.filter((l) => new Set(l.segments.map((s) => segCol(colEdges, s))).size >= 2);
  if (multiCol.length < settings.streamMinRows) return undefined;
  const withAmounts = region.filter((l) => l.segments.some((s) => segCol(colEdges, s) > 0 && NUMERIC.test(s.text.trim())));
  if (withAmounts.length < settings.streamMinAmountRows) return undefined;
  const rows = regionToRows(region, colEdges, rules, settings);
  const rowEdges = [region[0]!.y0];
  for (let i = 0; i + 1 < rows.length; i++) {
    const a = rows[i]!.lines;
    const b = rows[i + 1]!.lines;
    rowEdges.push((Math.max(...a.map((l) => l.y1)) + Math.min(...b.map((l) => l.y0))) / 2);
  }
  rowEdges.push(Math.max(...region.map((l) => l.y1)));
  const nCols = colEdges.length - 1;
  const cells: GridCell[] = [];
  const cellRuns = new Map<GridCell, TextRun[]>();
  rows.forEach((row, r) => {
    const slots: GridCell[] = [];
    for (let k = 0; k < nCols; k++) {
      const c: GridCell = { row: r, col: k, rowSpan: 1, colSpan: 1, x0: colEdges[k]!, x1: colEdges[k + 1]!, y0: rowEdges[r]!, y1: rowEdges[r + 1]! };
      slots.push(c);
      cells.push(c);
    }
    for (const l of row.lines)
      for (const s of l.segments) {
        const c = slots[segCol(colEdges, s)]!;
        const list = cellRuns.get(c);
        if (list) list.push(...s.runs);
        else cellRuns.set(c, [...s.runs]);
      }
  });
  const grid: Grid = { x0: colEdges[0]!, y0: rowEdges[0]!, x1: colEdges[nCols]!, y1: rowEdges[rowEdges.length - 1]!, rowEdges, colEdges, cells };
  return gridToRawTable(grid, cellRuns, pageNumber, "stream", settings);
}

/**
 * Finds unruled tables among the runs left outside ruled tables. Returns the tables and the runs
 * that are still outside every table.
 */
export function findStreamTables(
  runs: readonly TextRun[],
  page: PageModel,
  _ruled: readonly Grid[],
  settings: LayoutSettings,
): { tables: RawTable[]; rest: TextRun[] } {
  const lines = runsToStreamLines(runs, settings);
  const regions = findStreamRegions(lines, settings);
  if (regions.length === 0) return { tables: [], rest: [...runs] };
  const rules = mergeEdges(rulingsToEdges(page.rulings), settings);
  const tables: RawTable[] = [];
  const inTable = new Set<StreamLine>();
  for (const region of regions) {
    const t = regionToTable(region, page.pageNumber, rules, settings);
    if (!t) continue;
    tables.push(t);
    for (const l of region) inTable.add(l);
  }
  return { tables, rest: lines.filter((l) => !inTable.has(l)).flatMap((l) => l.runs) };
}
