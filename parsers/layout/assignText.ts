// Runs → cells, by glyph position (never by text line): cells are vertically centred in real
// filings, so an amount may sit a line above its wrapped label and 合计 below its numbers; only
// the position of each glyph says which cell it is in. A run that crosses a cell border (producers
// emit "208 01 99" as one run over three code columns, or two adjacent amounts as one run) is cut
// into characters placed by proportional width, and each character goes to the cell containing its
// centre.
import type { TextRun } from "../pdf/pageModel.ts";
import type { Grid, GridCell } from "./tables.ts";
import type { LayoutSettings } from "./settings.ts";

/** Relative advance of a character: full-width (Han, full-width forms, CJK punctuation) = 1, others = ½. */
export function charWeight(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    cp >= 0x20000;
  return wide ? 1 : 0.5;
}

/** Splits a run into per-character boxes, widths proportional to charWeight. */
export function runChars(run: TextRun): { ch: string; x0: number; x1: number }[] {
  const chars = [...run.text];
  const total = chars.reduce((s, c) => s + charWeight(c), 0);
  const width = run.x1 - run.x0;
  let acc = 0;
  return chars.map((ch) => {
    const w = charWeight(ch);
    const x0 = run.x0 + (acc / total) * width;
    acc += w;
    return { ch, x0, x1: run.x0 + (acc / total) * width };
  });
}

/** Character class for deciding whether a cut between two characters can be a cell border. */
export function charClass(ch: string): "space" | "han" | "other" {
  if (/\s/.test(ch)) return "space";
  return charWeight(ch) === 1 ? "han" : "other";
}

/**
 * Cuts a run where `locate` changes along it (by character centre). A cut is kept only where the
 * text itself allows a border: a blank, or a change between Han and digits/Latin
 * (`96,282,213.44一、公共安全支出`). A cut inside a word (a header `功能分类科目编码` whose last
 * character overflows into the next cell) is undone, and the whole word goes to the cell holding
 * most of it. Returns pieces with their own boxes; blanks at piece ends are trimmed.
 */
export function splitRun<K>(run: TextRun, locate: (x: number) => K): { key: K; run: TextRun }[] {
  const chars = runChars(run);
  const pieces: { key: K; chars: typeof chars }[] = [];
  for (const c of chars) {
    const key = locate((c.x0 + c.x1) / 2);
    const last = pieces[pieces.length - 1];
    if (last && last.key === key) last.chars.push(c);
    else pieces.push({ key, chars: [c] });
  }
  // Undo cuts inside a word, keeping the key of the heavier side.
  const weight = (cs: typeof chars) => cs.reduce((w, c) => w + charWeight(c.ch), 0);
  for (let i = 1; i < pieces.length; ) {
    const a = pieces[i - 1]!;
    const b = pieces[i]!;
    const left = charClass(a.chars[a.chars.length - 1]!.ch);
    const right = charClass(b.chars[0]!.ch);
    const clean = left === "space" || right === "space" || left !== right;
    if (clean) {
      i++;
      continue;
    }
    a.key = weight(a.chars) >= weight(b.chars) ? a.key : b.key;
    a.chars.push(...b.chars);
    pieces.splice(i, 1);
  }
  if (pieces.length === 1) return [{ key: pieces[0]!.key, run }];
  const out: { key: K; run: TextRun }[] = [];
  for (const p of pieces) {
    const kept = trimChars(p.chars);
    if (kept.length === 0) continue;
    out.push({
      key: p.key,
      run: { ...run, text: kept.map((c) => c.ch).join(""), x0: kept[0]!.x0, x1: kept[kept.length - 1]!.x1 },
    });
  }
  return out;
}

function trimChars<T extends { ch: string }>(chars: T[]): T[] {
  let a = 0;
  let b = chars.length;
  while (a < b && /\s/.test(chars[a]!.ch)) a++;
  while (b > a && /\s/.test(chars[b - 1]!.ch)) b--;
  return chars.slice(a, b);
}

/** Finds the grid cell containing a point, by binary search over the grid lines. */
export class GridLocator {
  private readonly owner: GridCell[][];
  constructor(readonly grid: Grid) {
    const nRows = grid.rowEdges.length - 1;
    const nCols = grid.colEdges.length - 1;
    this.owner = Array.from({ length: nRows }, () => new Array<GridCell>(nCols));
    for (const c of grid.cells)
      for (let r = c.row; r < c.row + c.rowSpan; r++) for (let k = c.col; k < c.col + c.colSpan; k++) this.owner[r]![k] = c;
  }
  contains(x: number, y: number): boolean {
    const g = this.grid;
    return x >= g.x0 && x <= g.x1 && y >= g.y0 && y <= g.y1;
  }
  cellAt(x: number, y: number): GridCell | undefined {
    if (!this.contains(x, y)) return undefined;
    const r = slot(this.grid.rowEdges, y);
    const k = slot(this.grid.colEdges, x);
    return this.owner[r]?.[k];
  }
}

/** Index i such that edges[i] <= v < edges[i+1], clamped to the valid slots. */
function slot(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface Assignment {
  /** Per grid (same order as given), the runs of each of its cells. */
  cellRuns: Map<GridCell, TextRun[]>[];
  /** Runs (or pieces of runs) outside every grid. */
  outside: TextRun[];
}

/**
 * Assigns every run (or piece of a run) to the cell containing its centre. When grids overlap
 * (a frame around a table), the smaller grid wins.
 */
export function assignRunsToCells(
  grids: readonly Grid[],
  runs: readonly TextRun[],
  settings: Pick<LayoutSettings, "splitMargin">,
): Assignment {
  const locators = grids.map((g) => new GridLocator(g));
  const order = locators
    .map((l, i) => ({ l, i, area: (l.grid.x1 - l.grid.x0) * (l.grid.y1 - l.grid.y0) }))
    .sort((a, b) => a.area - b.area);
  const cellRuns = grids.map(() => new Map<GridCell, TextRun[]>());
  const outside: TextRun[] = [];
  const locate = (x: number, y: number): { i: number; cell: GridCell } | undefined => {
    for (const { l, i } of order) {
      const cell = l.cellAt(x, y);
      if (cell) return { i, cell };
    }
    return undefined;
  };
  const keyOf = (hit: { i: number; cell: GridCell } | undefined): GridCell | "outside" => hit?.cell ?? "outside";
  const gridIndex = new Map<GridCell, number>();
  grids.forEach((g, i) => g.cells.forEach((c) => gridIndex.set(c, i)));

  for (const run of runs) {
    if (run.text.trim() === "") continue;
    const yc = (run.y0 + run.y1) / 2;
    const m = Math.min(settings.splitMargin, (run.x1 - run.x0) / 4);
    const left = keyOf(locate(run.x0 + m, yc));
    const right = keyOf(locate(run.x1 - m, yc));
    const pieces =
      left === right && keyOf(locate((run.x0 + run.x1) / 2, yc)) === left
        ? [{ key: left, run }]
        : splitRun(run, (x) => keyOf(locate(x, yc)));
    for (const p of pieces) {
      if (p.key === "outside") {
        outside.push(p.run);
        continue;
      }
      const map = cellRuns[gridIndex.get(p.key)!]!;
      const list = map.get(p.key);
      if (list) list.push(p.run);
      else map.set(p.key, [p.run]);
    }
  }
  return { cellRuns, outside };
}
