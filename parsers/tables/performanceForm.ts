// 绩效目标表 are a form (项目名称 | …, 主管部门 | …, 项目资金 | 4,100,000.00) above an indicator
// grid (一级指标 | 二级指标 | 三级指标 | 指标值 | …). The form becomes key/value pairs; the
// indicator grid becomes an ordinary table whose row labels are the indicator levels.
import type { RawTable } from "../layout/rawTable.ts";
import { labelKey } from "../text/normalizeLabel.ts";
import { cellsStartingInRow, toGrid } from "./grid.ts";
import { sliceRows } from "./splitGrid.ts";

export interface FormEntry {
  key: string;
  value: string;
}

const INDICATOR_HEADER = /^[一二三]级指标$/u;

/** Row of the indicator grid's header, or -1. */
export function indicatorHeaderRow(raw: RawTable): number {
  const grid = toGrid(raw);
  for (let r = 0; r < grid.rows; r++) {
    const texts = cellsStartingInRow(grid, r).map((c) => labelKey(grid.text.get(c) ?? ""));
    if (texts.filter((t) => INDICATOR_HEADER.test(t)).length >= 2) return r;
  }
  return -1;
}

/**
 * A 绩效目标表's grids (the form and the indicator grid are often drawn as separate grids, and
 * the indicator grid can run onto the next page) → form entries and the indicator grids.
 */
export function splitPerformanceGrids(grids: readonly RawTable[]): { form: FormEntry[]; indicators: RawTable[] } {
  const form: FormEntry[] = [];
  const indicators: RawTable[] = [];
  for (const raw of grids) {
    if (indicators.length > 0) {
      indicators.push(raw);
      continue;
    }
    const grid = toGrid(raw);
    const h = indicatorHeaderRow(raw);
    const formRows = h < 0 ? grid.rows : h;
    let group: { label: string; untilRow: number } | undefined;
    for (let r = 0; r < formRows; r++) {
      const cells = cellsStartingInRow(grid, r).filter((c) => (grid.text.get(c) ?? "") !== "");
      // A label spanning several rows (`项目资金(元)`) groups the key/value pairs beside it.
      if (cells.length % 2 === 1 && cells[0]!.rowSpan > 1) {
        group = { label: labelKey(grid.text.get(cells[0]!)!), untilRow: r + cells[0]!.rowSpan };
        cells.shift();
      }
      if (group && r >= group.untilRow) group = undefined;
      const texts = cells.map((c) => grid.text.get(c)!);
      for (let i = 0; i + 1 < texts.length; i += 2) {
        const key = labelKey(texts[i]!);
        form.push({ key: group ? `${group.label}/${key}` : key, value: texts[i + 1]! });
      }
    }
    if (h >= 0) indicators.push(sliceRows(raw, h, grid.rows));
  }
  return { form, indicators };
}

/** Indicator-level columns (一级/二级/三级指标, and an unlabeled leading 绩效指标 column) are labels. */
export function isIndicatorLabelHeader(leaf: string): boolean {
  const key = labelKey(leaf);
  return key === "" || INDICATOR_HEADER.test(key) || key === "绩效指标";
}
