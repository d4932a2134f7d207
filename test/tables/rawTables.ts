// Build RawTables for tests from a text picture: one string[] per grid row; "<" marks a slot
// covered by the cell to its left, "^" a slot covered by the cell above.
import type { RawCell, RawTable } from "../../parsers/layout/rawTable.ts";

export function rawTable(rows: string[][], opts: { page?: number; method?: "lattice" | "stream"; x0?: number; y0?: number; colWidth?: number; rowHeight?: number } = {}): RawTable {
  const { page = 1, method = "lattice", x0 = 50, y0 = 100, colWidth = 60, rowHeight = 20 } = opts;
  const cols = Math.max(...rows.map((r) => r.length));
  const colEdges = Array.from({ length: cols + 1 }, (_, i) => x0 + i * colWidth);
  const rowEdges = Array.from({ length: rows.length + 1 }, (_, i) => y0 + i * rowHeight);
  const cells: RawCell[] = [];
  rows.forEach((row, r) => {
    for (let c = 0; c < cols; c++) {
      const text = row[c] ?? "";
      if (text === "<" || text === "^") continue;
      let colSpan = 1;
      while (row[c + colSpan] === "<") colSpan++;
      let rowSpan = 1;
      while (rows[r + rowSpan]?.[c] === "^") rowSpan++;
      const lines = text === "" ? [] : text.split("\n");
      const box = { x0: colEdges[c]!, y0: rowEdges[r]!, x1: colEdges[c + colSpan]!, y1: rowEdges[r + rowSpan]! };
      cells.push({
        row: r,
        col: c,
        rowSpan,
        colSpan,
        ...box,
        lines,
        runs: lines.map((t, i) => ({ text: t, x0: box.x0 + 2, x1: box.x0 + 2 + t.length * 5, y0: box.y0 + 2 + i * 9, y1: box.y0 + 10 + i * 9, fontSize: 9, fontName: "F" })),
      });
    }
  });
  return { pageNumber: page, method, x0, y0, x1: colEdges[cols]!, y1: rowEdges[rows.length]!, rowEdges, colEdges, cells };
}
