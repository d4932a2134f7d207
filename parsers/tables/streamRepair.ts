// Unruled (stream) grids lose two things ruling lines would have told us:
// - which columns an upper header cell spans (`支出预算` is printed centred over three columns);
// - which text lines make one row (a wrapped item name is vertically centred on its amounts, so
//   its first line sits above the amounts' line and its second line below).
// Both are rebuilt here from positions, before the grid is read like a ruled one.
import type { RawCell, RawTable } from "../layout/rawTable.ts";
import { parseAmount } from "./amounts.ts";
import { isCodeFragment } from "./codes.ts";

/** Widen each upper header text over the empty neighbours that centre the span on the text. */
export function widenStreamHeaderCells(raw: RawTable, headerRows: number): RawTable {
  if (raw.method !== "stream" || headerRows < 2) return raw;
  const cols = raw.colEdges.length - 1;
  const cells = raw.cells.map((c) => ({ ...c }));
  for (let r = 0; r < headerRows - 1; r++) {
    const row = cells.filter((c) => c.row === r).sort((a, b) => a.col - b.col);
    const occupied = new Set(row.filter((c) => c.lines.length > 0).map((c) => c.col));
    for (const cell of row) {
      if (cell.lines.length === 0 || cell.runs.length === 0) continue;
      const cx = (Math.min(...cell.runs.map((u) => u.x0)) + Math.max(...cell.runs.map((u) => u.x1))) / 2;
      let best: [number, number] = [cell.col, cell.col];
      let bestDistance = Infinity;
      for (let a = cell.col; a >= 0 && (a === cell.col || !occupied.has(a)); a--) {
        for (let b = cell.col; b < cols && (b === cell.col || !occupied.has(b)); b++) {
          const mid = (raw.colEdges[a]! + raw.colEdges[b + 1]!) / 2;
          const d = Math.abs(mid - cx);
          if (d < bestDistance - 0.5 || (Math.abs(d - bestDistance) <= 0.5 && b - a > best[1] - best[0])) [best, bestDistance] = [[a, b], d];
        }
      }
      cell.col = best[0];
      cell.colSpan = best[1] - best[0] + 1;
      cell.x0 = raw.colEdges[best[0]]!;
      cell.x1 = raw.colEdges[best[1] + 1]!;
      for (let c = best[0]; c <= best[1]; c++) occupied.add(c);
    }
    // Drop the empty cells a widened cell now covers.
    const covered = (c: RawCell) => row.some((w) => w !== c && w.lines.length > 0 && c.col >= w.col && c.col < w.col + w.colSpan);
    for (const c of row) if (c.lines.length === 0 && covered(c)) cells.splice(cells.indexOf(c), 1);
  }
  return { ...raw, cells };
}

function isLabelOnly(row: RawCell[]): boolean {
  const texts = row.filter((c) => c.lines.length > 0);
  return texts.length > 0 && texts.every((c) => parseAmount(c.lines.join("")) === null && !isCodeFragment(c.lines.join("")));
}

/**
 * Merge the lines of a vertically centred wrapped label into the amounts' row: a row with
 * amounts but an empty label column takes the label-only rows right above and below it.
 */
export function mergeStreamWrappedRows(raw: RawTable, fromRow: number, labelCol: number): RawTable {
  if (raw.method !== "stream") return raw;
  const rows = raw.rowEdges.length - 1;
  const copies = raw.cells.map((c) => ({ ...c }));
  const byRow: RawCell[][] = Array.from({ length: rows }, () => []);
  for (const c of copies) byRow[c.row]?.push(c);
  const absorbed = new Set<number>();
  const labelOf = (r: number) => byRow[r]!.find((c) => c.col <= labelCol && c.col + c.colSpan > labelCol);
  for (let r = fromRow; r < rows; r++) {
    const label = labelOf(r);
    const hasAmount = byRow[r]!.some((c) => c.col > labelCol && parseAmount(c.lines.join("")) !== null);
    if (!label || label.lines.length > 0 || !hasAmount) continue;
    const lines: string[] = [];
    const runs: RawCell["runs"] = [];
    for (const n of [r - 1, r + 1]) {
      if (n < fromRow || n >= rows || absorbed.has(n) || !isLabelOnly(byRow[n]!)) continue;
      const other = labelOf(n);
      if (!other || other.lines.length === 0) continue;
      if (n === r + 1) {
        const next = labelOf(n + 1);
        // The line below belongs to the next row when that row also lacks its label.
        if (next && next.lines.length === 0 && byRow[n + 1]!.some((c) => parseAmount(c.lines.join("")) !== null) && lines.length === 0) continue;
      }
      if (n === r - 1) {
        lines.unshift(...other.lines);
        runs.unshift(...other.runs);
      } else {
        lines.push(...other.lines);
        runs.push(...other.runs);
      }
      absorbed.add(n);
    }
    label.lines = lines;
    label.runs = runs;
  }
  if (absorbed.size === 0) return raw;
  // Blank the absorbed rows (they hold nothing else), keeping the grid's shape.
  const cells = copies.map((c) => (absorbed.has(c.row) ? { ...c, lines: [], runs: [] } : c));
  return { ...raw, cells };
}

/** The grid column holding item names: mostly text that is neither an amount nor a code. */
export function streamLabelColumn(raw: RawTable, fromRow: number): number {
  const cols = raw.colEdges.length - 1;
  for (let c = 0; c < cols; c++) {
    const texts = raw.cells.filter((x) => x.col === c && x.row >= fromRow && x.lines.length > 0).map((x) => x.lines.join(""));
    const words = texts.filter((t) => parseAmount(t) === null && !isCodeFragment(t)).length;
    if (texts.length > 0 && words * 2 > texts.length) return c;
  }
  return 0;
}

/** Both repairs, for one stream grid (ruled grids come back unchanged). */
export function repairStreamGrid(raw: RawTable, headerRows: number): RawTable {
  if (raw.method !== "stream") return raw;
  const widened = widenStreamHeaderCells(raw, headerRows);
  return mergeStreamWrappedRows(widened, headerRows, streamLabelColumn(widened, headerRows));
}
