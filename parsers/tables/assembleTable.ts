// One table's grids (first page + continuations) → the model's Table: columns with header
// paths and roles, rows with labels, codes and exact amounts.
import type { ClassificationCode, Column, Row, Table, TableKind, Unit } from "../model.ts";
import { parseAmount } from "./amounts.ts";
import { joinRowSplitByPageBreak, mapGridColumns, readBodyRows, type BodyRow } from "./bodyRows.ts";
import { parseCode } from "./codes.ts";
import { columnRoles, columnSegments, type Role } from "./columnRoles.ts";
import { toGrid, type Grid } from "./grid.ts";
import { findHeaderShape, isTotalLabel, logicalColumns, splitColumnsByBody, type HeaderShape, type LogicalColumn } from "./header.ts";
import { repairStreamGrid } from "./streamRepair.ts";
import { indicatorHeaderRow, isIndicatorLabelHeader, splitPerformanceGrids } from "./performanceForm.ts";
import type { RawTable } from "../layout/rawTable.ts";
import type { TableSettings } from "./settings.ts";
import { labelKey } from "../text/normalizeLabel.ts";

export interface TableIdentity {
  id: string;
  number: string;
  title: string;
  kind: TableKind;
  department?: string;
  unit: Unit | null;
  note: string | null;
}

export function assembleTable(identity: TableIdentity, allGrids: readonly RawTable[], settings: TableSettings): Table {
  let grids = allGrids;
  const formLike = identity.kind === "performance_overall" || identity.kind === "performance_project";
  const performance = formLike ? splitPerformanceGrids(grids) : null;
  const indicatorGrids = performance && performance.indicators.length > 0 ? performance.indicators : null;
  if (indicatorGrids) grids = indicatorGrids;
  grids = grids.map((raw) => repairStreamGrid(raw, findHeaderShape(toGrid(raw), false).headerRows));
  // A page that ends with only the top of a header (`收入 | 支出`) before the grid goes on
  // overleaf: keep those header cells as the upper levels of the next grid's columns.
  const headerFragments: RawTable[] = [];
  while (!formLike && grids.length > 1 && isHeaderOnly(toGrid(grids[0]!))) {
    headerFragments.push(grids[0]!);
    grids = grids.slice(1);
  }
  const first = toGrid(grids[0]!);
  // A 绩效 indicator grid has one header row and text values; a form without one is all body.
  const shapeOf = (grid: Grid, isFirst: boolean): HeaderShape =>
    !formLike ? findHeaderShape(grid, false) : indicatorGrids && (isFirst || indicatorHeaderRow(grid.raw) === 0) ? { headerRows: 1, numberingRows: [] } : { headerRows: 0, numberingRows: [] };
  const shape = shapeOf(first, true);
  const columns = splitColumnsByBody(first, logicalColumns(first, shape), shape.headerRows).map((col) => ({ ...col, path: [...fragmentPath(headerFragments, col.x0, col.x1, settings), ...col.path] }));
  const firstMap = columnIndexByGridColumn(columns, first.cols);
  const body: BodyRow[] = readBodyRows(first, shape.headerRows, shape.numberingRows, firstMap);
  const remarks: string[] = [];
  const headerTexts = new Set([...headerFragments, grids[0]!].flatMap((raw) => raw.cells.filter((c) => raw !== grids[0] || c.row < shape.headerRows).map((c) => labelKey(c.lines.join("")))));
  for (const raw of grids.slice(1)) {
    const grid = toGrid(raw);
    const again = formLike ? shapeOf(grid, false) : repeatedHeader(grid, headerTexts);
    if (again.headerRows > 0) remarks.push(`page ${raw.pageNumber}: repeated header (${again.headerRows} rows) dropped`);
    const rows = readBodyRows(grid, again.headerRows, again.numberingRows, mapGridColumns(grid, columns, settings.columnOverlap));
    const joined = again.headerRows > 0 ? rows : joinRowSplitByPageBreak(body[body.length - 1], rows);
    if (joined.length < rows.length) remarks.push(`page ${raw.pageNumber}: a row cut by the page break joined back to the row above`);
    body.push(...joined);
  }
  const roles = indicatorGrids
    ? columns.map((c): Role => (isIndicatorLabelHeader(c.path[c.path.length - 1] ?? "") ? "label" : "value"))
    : columnRoles(columns, body);
  const segments = columnSegments(roles);
  const sides = segments.some((s) => s > 0);
  const modelColumns: Column[] = columns.map((col, i) => ({
    index: i,
    path: col.path,
    role: roles[i]!,
    ...(sides ? { side: segments[i]! === 0 ? ("left" as const) : ("right" as const) } : {}),
    ...(col.number ? { number: col.number } : {}),
  }));
  const rows = body.map((b, i) => toRow(b, i, roles, segments)).filter((r): r is Row => r !== null);
  rows.forEach((r, i) => (r.index = i));
  const pages = [...new Set(allGrids.map((g) => g.pageNumber))];
  const hasAmounts = rows.some((r) => r.cells.some((c) => c.value !== null));
  return {
    id: identity.id,
    number: identity.number,
    title: identity.title,
    kind: identity.kind,
    ...(identity.department ? { department: identity.department } : {}),
    unit: identity.unit,
    pages,
    method: grids.every((g) => g.method === "lattice") ? "lattice" : grids.every((g) => g.method === "stream") ? "stream" : "mixed",
    columns: modelColumns,
    rows,
    note: identity.note,
    empty: !hasAmounts && !formLike,
    remarks,
    ...(performance ? { form: performance.form } : {}),
  };
}

function columnIndexByGridColumn(columns: readonly LogicalColumn[], gridCols: number): number[] {
  const map = new Array<number>(gridCols).fill(-1);
  columns.forEach((col, i) => col.gridCols.forEach((c) => (map[c] = i)));
  return map;
}

interface SideLabel {
  label: string[];
  /** The column each entry of `label` came from (a code split over 类/款/项 columns: the first). */
  columns: number[];
  code?: ClassificationCode;
}

function sideLabel(b: BodyRow, roles: readonly Role[], segments: readonly number[], segment: number): SideLabel {
  const codeParts: string[] = [];
  const codeColumns: number[] = [];
  const labels: string[] = [];
  const labelColumns: number[] = [];
  roles.forEach((role, i) => {
    if (segments[i] !== segment || role === "value") return;
    const slot = b.slots.get(i);
    if (!slot) return;
    if (role === "code") {
      codeParts.push(slot.text);
      codeColumns.push(i);
    } else {
      labels.push(slot.text);
      labelColumns.push(i);
    }
  });
  if (codeParts.length > 0) {
    const parsed = parseCode(codeParts);
    const raw = codeParts.join(" ");
    const columns = [codeColumns[0]!, ...labelColumns];
    return parsed ? { label: [parsed.code.raw, ...labels], columns, code: parsed.code } : { label: [raw, ...labels], columns };
  }
  const fromLabel = labels[0] ? parseCode([labels[0]]) : null;
  return fromLabel ? { label: labels, columns: labelColumns, code: fromLabel.code } : { label: labels, columns: labelColumns };
}

function toRow(b: BodyRow, index: number, roles: readonly Role[], segments: readonly number[]): Row | null {
  const segmentCount = Math.max(...segments) + 1;
  const labels = Array.from({ length: segmentCount }, (_, s) => sideLabel(b, roles, segments, s));
  // Three-part two-sided tables (收入 | 功能分类 | 支出用途) print the 支出 total once, merged
  // across the 支出 label columns: a value of the third part takes the second part's label.
  for (let s = 2; s < segmentCount; s++) if (labels[s]!.label.length === 0) labels[s] = labels[s - 1]!;
  const cells: Row["cells"] = [];
  roles.forEach((role, i) => {
    if (role !== "value") return;
    const slot = b.slots.get(i);
    if (!slot || slot.inherited) return;
    const side = labels[segments[i]!]!;
    cells.push({
      row: index,
      column: i,
      text: slot.text,
      value: parseAmount(slot.text),
      page: b.page,
      box: [slot.cell.x0, slot.cell.y0, slot.cell.x1, slot.cell.y1],
      ...(segments[i]! > 0 ? { label: side.label, ...(side.code ? { code: side.code } : {}) } : {}),
    });
  });
  const left = labels[0]!;
  const right = labels[1];
  if (left.label.length === 0 && cells.length === 0 && (!right || right.label.length === 0)) return null;
  const total = [left, ...(right ? [right] : [])].some((l) => l.label.length > 0 && isTotalLabel(l.label[l.label.length - 1]!));
  return {
    index,
    page: b.page,
    label: left.label,
    labelColumns: left.columns,
    ...(left.code ? { code: left.code } : {}),
    ...(right && right.label.length > 0
      ? { rightLabel: right.label, rightLabelColumns: right.columns, ...(right.code ? { rightCode: right.code } : {}) }
      : {}),
    isTotal: total,
    cells,
  };
}

function isHeaderOnly(grid: Grid): boolean {
  return findHeaderShape(grid, false).headerRows >= grid.rows && grid.rows > 0;
}

/** Header texts of cut-off header fragments lying over [x0, x1], top to bottom. */
function fragmentPath(fragments: readonly RawTable[], x0: number, x1: number, settings: TableSettings): string[] {
  const path: string[] = [];
  for (const raw of fragments) {
    const grid = toGrid(raw);
    for (const cell of [...raw.cells].sort((a, b) => a.row - b.row)) {
      const overlap = Math.min(x1, cell.x1) - Math.max(x0, cell.x0);
      const text = grid.text.get(cell) ?? "";
      if (text !== "" && overlap / Math.max(1e-6, x1 - x0) >= settings.columnOverlap) path.push(text);
    }
  }
  return path;
}

/**
 * The rows a continuation page repeats from the first page's header: leading rows printing only
 * header texts (or the ※ numbering). Label-only rows that merely precede the first amount
 * (`九、医疗卫生与计划生育支出` on a page of the 支出 list) are body, not header.
 */
function repeatedHeader(grid: Grid, headerTexts: ReadonlySet<string>): HeaderShape {
  const shape = findHeaderShape(grid, false);
  let rows = 0;
  while (rows < shape.headerRows) {
    const texts = grid.raw.cells.filter((c) => c.row === rows && c.lines.length > 0).map((c) => labelKey(c.lines.join("")));
    if (!shape.numberingRows.includes(rows) && !texts.every((t) => headerTexts.has(t))) break;
    rows++;
  }
  return { headerRows: rows, numberingRows: shape.numberingRows.filter((r) => r < rows) };
}
