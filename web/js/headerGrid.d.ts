import type { Cell, Row, Table } from "../../parsers/model.ts";
export interface HeaderCell {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  text: string;
}
export function headerGrid(columns: readonly { index: number; path: readonly string[] }[]): { depth: number; cells: HeaderCell[] };
export function printedRow(table: Pick<Table, "columns">, row: Row): { text: string; cell?: Cell }[];
