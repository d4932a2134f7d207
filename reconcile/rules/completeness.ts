// Completeness: every table the template (or the document's own 目录) requires is present; an
// empty table carries its note (本表无数据 …); a table printed empty says so.
import type { TableKind } from "../../parsers/model.ts";
import type { RuleContext } from "../context.ts";
import type { Flag } from "../flag.ts";
import { plainFlag } from "../flagging.ts";
import { norm } from "../text.ts";

export const RULES = {
  missing: "completeness.missing_table",
  toc: "completeness.toc",
  emptyNote: "completeness.empty_without_note",
} as const;

const KIND_NAMES: Record<TableKind, string> = {
  income_expenditure_summary: "收支总表", income_summary: "收入总表", expenditure_summary: "支出总表",
  fiscal_summary: "财政拨款收支总表", general_budget_expenditure: "一般公共预算支出表", general_budget_basic: "一般公共预算基本支出表",
  general_budget_project: "一般公共预算项目支出表", government_fund: "政府性基金预算支出表", state_capital: "国有资本经营预算支出表",
  three_public: "三公经费表", carryover: "上年结转结余表", fiscal_expenditure: "财政拨款支出表（功能科目）", fiscal_basic: "财政拨款基本支出表（经济科目）",
  operating_costs: "机关运行经费支出表", procurement: "政府采购预算表", performance_overall: "部门整体绩效目标表",
  performance_project: "项目支出绩效目标表", other: "其他",
};

/** The tables each template family prints (identified by kind, not printed number). */
export const REQUIRED: Record<string, TableKind[]> = {
  "seed11/budget": ["income_expenditure_summary", "income_summary", "expenditure_summary", "fiscal_summary", "general_budget_expenditure", "general_budget_basic", "general_budget_project", "government_fund", "state_capital", "three_public", "carryover"],
  "shanghai/budget": ["income_expenditure_summary", "income_summary", "expenditure_summary", "fiscal_summary", "general_budget_expenditure", "government_fund", "state_capital", "general_budget_basic", "three_public"],
  "shanghai/final_accounts": ["income_expenditure_summary", "income_summary", "expenditure_summary", "fiscal_summary", "general_budget_expenditure", "general_budget_basic", "three_public", "government_fund", "state_capital"],
  "jiangsu/budget": ["income_expenditure_summary", "income_summary", "expenditure_summary", "fiscal_summary", "general_budget_expenditure", "general_budget_basic", "three_public", "government_fund"],
};

/** Reduce a title to what identifies it: no year, numbering, department or unit words. */
export function titleKey(s: string): string {
  return norm(s)
    .replace(/\d{4}年(度)?/g, "")
    .replace(/^[0-9一二三四五六七八九十]+[、.．]/, "")
    .replace(/^(表|公开)?\d+(表)?/, "")
    .replace(/^(部门|单位)/, "")
    .replace(/[….·]+\d*$/, "")
    .replace(/[(（].*?[)）]$/, "");
}

export function completeness(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  const { doc, index } = ctx;
  const req = REQUIRED[`${doc.meta.family}/${doc.meta.docType}`] ?? [];
  for (const k of req) {
    if (index.all(k).length === 0) {
      out.push(plainFlag("error", RULES.missing, {}, `缺少${KIND_NAMES[k]}（模板要求）`, `the ${k} table required by the template is missing`, { kind: k }));
    }
  }
  const titles = doc.tables.map((t) => titleKey(t.title));
  for (const entry of doc.meta.tableOfContents) {
    const key = titleKey(entry);
    if (!/表$/.test(key) || key.length < 4 || /^第[一二三四五六七八九十]+部分/.test(norm(entry))) continue;
    const found = titles.some((t) => t === key || t.endsWith(key) || key.endsWith(t) && t.length >= 4);
    // The 目录 may word a title differently ("政府采购支出预算表" for "政府采购预算表"): the table
    // printed under the same number is there, so that is a wording note, not a missing table.
    const num = /^([0-9一二三四五六七八九十]+)[、.．]/.exec(norm(entry))?.[1];
    const byNumber = num ? doc.tables.find((t) => norm(t.number).replace(/[、.．]$/, "") === num) : undefined;
    if (!found && byNumber) {
      out.push(plainFlag("info", RULES.toc, { table: byNumber }, `目录列为“${entry}”，表名印为“${byNumber.title}”`, `the table of contents words this table differently from its printed title`));
    } else if (!found) out.push(plainFlag("error", RULES.toc, {}, `目录列出“${entry}”，但文件中未找到该表`, `the table of contents lists "${entry}" but no such table was found`));
  }
  for (const t of doc.tables) {
    if (t.kind.startsWith("performance")) continue;
    const name = t.title.includes(t.number) ? t.title : `${t.number}${t.title}`;
    const hasValues = t.rows.some((r) => r.cells.some((c) => c.value !== null && !/^0+(\.0+)?$/.test(c.value)));
    if (t.empty && !t.note) {
      out.push(plainFlag("warning", RULES.emptyNote, { table: t }, `${name}为空表，但未说明原因（如“本表无数据”）`, `table printed empty without a note saying why`));
    } else if (!t.empty && !hasValues && t.rows.length > 0 && !t.note) {
      out.push(plainFlag("warning", RULES.emptyNote, { table: t }, `${name}没有任何金额，也未说明为空表`, `table has no amounts and no note saying it is empty`));
    }
  }
  return out;
}
