// A table as geometry: a grid of cells with spans and the text inside each cell.
// No meaning yet (headers, totals, codes): that is parsers/tables/.
import type { TextRun } from "../pdf/pageModel.ts";

export interface RawCell {
  /** Top-left grid position and spans (merged cells span several grid rows/columns). */
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Text lines inside the cell, top to bottom; each line's runs joined left to right. */
  lines: string[];
  runs: TextRun[];
}

export interface RawTable {
  pageNumber: number;
  method: "lattice" | "stream";
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Grid line positions: rowEdges.length - 1 rows, colEdges.length - 1 columns. */
  rowEdges: number[];
  colEdges: number[];
  /** Every grid slot is covered by exactly one cell (empty cells have lines = []). */
  cells: RawCell[];
}

/** A page cut into tables plus the text that lies outside every table (titles, notes, narrative). */
export interface PageLayout {
  pageNumber: number;
  width: number;
  height: number;
  tables: RawTable[];
  /** Text lines outside tables, top to bottom, with their boxes (titles, 单位, notes, narrative). */
  outsideLines: { text: string; x0: number; y0: number; x1: number; y1: number; runs: TextRun[] }[];
}
