// Printed table titles → canonical kinds, the same across the three template families:
// seed 表1–表11 (…情况表), Shanghai budget nine tables (…预算总表 / …预算表) and 决算 sets
// (…决算表), Jiangsu 公开01–12表. Order matters: the more specific patterns come first.
import type { TableKind } from "../model.ts";
import { labelKey } from "../text/normalizeLabel.ts";

const RULES: readonly [RegExp, TableKind][] = [
  [/整体(支出)?绩效目标/u, "performance_overall"],
  [/项目(支出)?绩效目标|绩效目标(申报)?表/u, "performance_project"],
  [/三公/u, "three_public"],
  [/政府采购/u, "procurement"],
  [/机关运行经费/u, "operating_costs"],
  [/上年结转结余|结转结余情况/u, "carryover"],
  [/政府性基金/u, "government_fund"],
  [/国有资本经营/u, "state_capital"],
  [/财政拨款收[入支]/u, "fiscal_summary"],
  [/一般公共预算.*基本支出/u, "general_budget_basic"],
  [/一般公共预算.*项目支出/u, "general_budget_project"],
  [/一般公共预算.*支出/u, "general_budget_expenditure"],
  [/财政拨款基本支出/u, "fiscal_basic"],
  [/财政拨款支出(预算|决算)?表/u, "fiscal_expenditure"],
  [/(财务)?收支(预算)?总[体表]|收入支出决算总表|收支总体/u, "income_expenditure_summary"],
  [/收入(预算)?总[体表]|收入决算表|收入总体/u, "income_summary"],
  [/支出(预算)?总[体表]|支出决算表|支出总体/u, "expenditure_summary"],
];

export function kindOfTitle(title: string): TableKind {
  const key = labelKey(title);
  for (const [pattern, kind] of RULES) if (pattern.test(key)) return kind;
  return "other";
}

/** A line that reads like a table title (ends in 表 after optional year/department prefixes). */
export function looksLikeTableTitle(line: string): boolean {
  const key = labelKey(line);
  if (key.length < 4 || key.length > 60) return false;
  if (/[…．.]{3,}|\d+$/u.test(key) && /…|\.{3}/u.test(key)) return false; // table of contents entry
  if (/[。；，]/u.test(key)) return false; // a sentence, not a title
  return /(表|情况|明细)(\(.*\))?$/u.test(key) && !/^(附|注|说明)/u.test(key);
}
