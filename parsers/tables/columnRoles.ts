// What each logical column holds: classification-code fragments, labels, or amounts; and for
// two-sided tables (收入 | 支出) which side it is on. Decided from the body, header as tie-break.
import type { Column } from "../model.ts";
import { labelKey } from "../text/normalizeLabel.ts";
import { parseAmount } from "./amounts.ts";
import type { BodyRow } from "./bodyRows.ts";
import { isCodeFragment } from "./codes.ts";
import { isTotalLabel, type LogicalColumn } from "./header.ts";

const CODE_HEADER = /^(类|款|项)$|编码|代码/u;
const LABEL_HEADER = /项目|名称|科目|功能分类$|经济分类$|支出用途$|^(类|款|项)$|单位$|指标/u;

export type Role = Column["role"];

export function columnRoles(columns: readonly LogicalColumn[], rows: readonly BodyRow[]): Role[] {
  return columns.map((col, i) => {
    const texts = rows.map((r) => r.slots.get(i)).filter((s) => s !== undefined && !s.inherited).map((s) => s!.text);
    const leaf = labelKey(col.path[col.path.length - 1] ?? "");
    const header = labelKey(col.path.join(""));
    if (texts.length === 0) return LABEL_HEADER.test(leaf) || (leaf === "" && i === 0) ? "label" : "value";
    // 总计 / 合计 and the department's own row often sit in the code column, merged across it.
    const entries = texts.filter((t) => !isTotalLabel(t) && !/[\u4e00-\u9fff]{4,}/u.test(t) || isCodeFragment(t));
    const codes = entries.filter((t) => isCodeFragment(t)).length;
    const codeHeader = CODE_HEADER.test(leaf) || CODE_HEADER.test(header);
    if (entries.length > 0 && codeHeader && codes / entries.length >= 0.6) return "code";
    // Without a code header, whole-number amount columns look like codes: demand code shapes only.
    if (!codeHeader && texts.every((t) => /^\d{2,3}$|^[235]\d{4}(\d{2})?$/u.test(t.trim())) && !/数|额|计/u.test(leaf)) return "code";
    const amounts = texts.filter((t) => parseAmount(t) !== null).length;
    if (amounts / texts.length >= 0.5) return "value";
    return "label";
  });
}

/** Segment index per column: a new segment starts at a label/code column that follows a value column. */
export function columnSegments(roles: readonly Role[]): number[] {
  let segment = 0;
  let seenValue = false;
  return roles.map((role) => {
    if (role === "value") seenValue = true;
    else if (seenValue) {
      segment++;
      seenValue = false;
    }
    return segment;
  });
}
