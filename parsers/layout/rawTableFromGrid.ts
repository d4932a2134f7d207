// Grid + the runs of each cell → RawTable: each cell's runs become its text lines.
import type { TextRun } from "../pdf/pageModel.ts";
import type { RawCell, RawTable } from "./rawTable.ts";
import type { LayoutSettings } from "./settings.ts";
import type { Grid, GridCell } from "./tables.ts";
import { runsToLines } from "./lines.ts";

/** A grid plus the runs of each of its cells → RawTable (cell lines joined top to bottom). */
export function gridToRawTable(
  grid: Grid,
  cellRuns: ReadonlyMap<GridCell, TextRun[]>,
  pageNumber: number,
  method: RawTable["method"],
  settings: LayoutSettings,
): RawTable {
  const cells: RawCell[] = grid.cells.map((c) => {
    const runs = cellRuns.get(c) ?? [];
    const lines = runsToLines(runs, settings).map((l) => l.text);
    return {
      row: c.row,
      col: c.col,
      rowSpan: c.rowSpan,
      colSpan: c.colSpan,
      x0: c.x0,
      y0: c.y0,
      x1: c.x1,
      y1: c.y1,
      lines,
      runs: lines.length > 0 ? runs : [],
    };
  });
  return {
    pageNumber,
    method,
    x0: grid.x0,
    y0: grid.y0,
    x1: grid.x1,
    y1: grid.y1,
    rowEdges: grid.rowEdges,
    colEdges: grid.colEdges,
    cells,
  };
}

