// Across tables: the same figure printed in two tables must agree (totals of 收支/收入/支出 tables,
// per-类 amounts, 财政拨款 columns vs the 一般公共预算/基金/国资 tables, 基本 vs the 基本支出 table,
// 项目 vs the 项目支出 table, 三公 运行费 vs 302 31, 结转 vs 上年结转结余, 绩效目标表 amounts).
import type { Table } from "../../parsers/model.ts";
import type { RuleContext } from "../context.ts";
import { basicPart, summaryFigure, tableTotal, threePublic, type Figure } from "../figures.ts";
import type { Flag, Severity } from "../flag.ts";
import { compareFlag, plainFlag, whereOf } from "../flagging.ts";
import { exact, formatMicro, parseAmount, type Amount } from "../money.ts";
import { amountAt, findColumn, firstValueColumn, rowName, type SideView } from "../tableIndex.ts";
import { compareSum } from "../tolerance.ts";
import { norm } from "../text.ts";

export const RULES = {
  total: "cross.total",
  klass: "cross.class",
  fund: "cross.fund",
  basic: "cross.basic",
  project: "cross.project",
  vehicle: "cross.three_public_vehicle",
  carryover: "cross.carryover",
  performance: "cross.performance",
  performanceProject: "sum.performance_project",
  runningCost: "cross.running_cost",
} as const;

/** Flag `actual` (where it is printed) against `expected` (the other table's figure). */
export function crossFlag(ctx: RuleContext, rule: string, expected: Figure, actual: Figure, zh: string, en: string, mismatch: Severity = "error"): Flag | null {
  const cmp = compareSum([expected.amount], actual.amount, ctx.tol);
  const unit = actual.view.unit;
  return compareFlag({
    rule, where: whereOf(actual.view, actual.row, actual.column), cmp, expected: expected.amount.value, actual: actual.amount, unit,
    zh: `${zh}（${expected.view.table.number}${expected.row ? ` ${expected.row.text}` : ""} = ${expected.amount.text || ""}）`,
    en, mismatch,
  });
}

/** Pass when `actual` matches any candidate; otherwise flag against the first. */
function crossAny(ctx: RuleContext, rule: string, candidates: (Figure | undefined)[], actual: Figure | undefined, zh: string, en: string, sev: Severity = "error"): Flag[] {
  const cs = candidates.filter((c): c is Figure => c !== undefined);
  if (!actual || cs.length === 0) return [];
  const flags = cs.map((c) => crossFlag(ctx, rule, c, actual, zh, en, sev));
  if (flags.some((f) => f === null)) return [];
  const info = flags.find((f) => f?.severity === "info");
  return [info ?? flags[0]!].filter((f): f is Flag => f !== null);
}

function totals(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  const income = ctx.index.one("income_summary");
  const expend = ctx.index.one("expenditure_summary");
  const lg = summaryFigure(ctx, "left", "grand");
  const ls = summaryFigure(ctx, "left", "subtotal");
  const rg = summaryFigure(ctx, "right", "grand");
  const rs = summaryFigure(ctx, "right", "subtotal");
  if (income) out.push(...crossAny(ctx, RULES.total, [lg, ls], tableTotal(ctx, income), "收入表合计应与收支总表收入合计一致", "income table total should match the summary's income total"));
  if (expend) out.push(...crossAny(ctx, RULES.total, [rg, rs], tableTotal(ctx, expend), "支出表合计应与收支总表支出合计一致", "expenditure table total should match the summary's expenditure total"));
  return out;
}

function classRows(view: SideView) {
  return view.rows.filter((r) => r.code && r.code.scheme === "functional" && r.code.code.length === 3);
}

/** Per-类 rows of `b` against the same 类 in `a` (by code, else by name). */
function perClass(ctx: RuleContext, rule: string, a: SideView, aCol: SideView["columns"][number] | undefined, b: SideView, bCol: SideView["columns"][number] | undefined, zh: string, en: string, sev: Severity = "error", summaryNames = false): Flag[] {
  if (!aCol || !bCol) return [];
  const out: Flag[] = [];
  const aRows = summaryNames ? a.rows.filter((r) => r.code?.code.length === 3 || /^[一二三四五六七八九十]+、.*支出$/.test(r.text)) : classRows(a);
  for (const br of classRows(b)) {
    const ar = aRows.find((r) => r.code?.code === br.code!.code) ?? aRows.find((r) => norm(rowName(r)) === norm(rowName(br)));
    if (!ar) {
      const v = amountAt(b, br.row, bCol);
      if (summaryNames && v && v.value !== 0n && aRows.length > 0) {
        // A class with an amount in one table is missing from the other.
        const f = crossFlag(ctx, rule, { view: a, row: undefined, column: aCol, amount: exact(0n, a.unit) }, { view: b, row: br, column: bCol, amount: v }, zh, en, sev);
        if (f) out.push(f);
      }
      continue;
    }
    const av = amountAt(a, ar.row, aCol) ?? exact(0n, a.unit);
    const bv = amountAt(b, br.row, bCol) ?? exact(0n, b.unit);
    const f = crossFlag(ctx, rule, { view: a, row: ar, column: aCol, amount: av }, { view: b, row: br, column: bCol, amount: bv }, `${br.text}：${zh}`, en, sev);
    if (f) out.push(f);
  }
  return out;
}

function perCode(ctx: RuleContext, rule: string, a: SideView, aCol: SideView["columns"][number] | undefined, b: SideView, bCol: SideView["columns"][number] | undefined, zh: string, en: string, sev: Severity): Flag[] {
  if (!aCol || !bCol) return [];
  const out: Flag[] = [];
  const aRows = a.rows.filter((r) => r.code?.scheme === "functional");
  for (const br of b.rows.filter((r) => r.code?.scheme === "functional")) {
    const same = aRows.filter((r) => r.code!.code === br.code!.code);
    if (same.length !== 1 || b.rows.filter((r) => r.code?.code === br.code!.code).length !== 1) continue;
    const ar = same[0]!;
    const av = amountAt(a, ar.row, aCol) ?? exact(0n, a.unit);
    const bv = amountAt(b, br.row, bCol) ?? exact(0n, b.unit);
    const f = crossFlag(ctx, rule, { view: a, row: ar, column: aCol, amount: av }, { view: b, row: br, column: bCol, amount: bv }, `${br.text}：${zh}`, en, sev);
    if (f) out.push(f);
  }
  return out;
}

function classes(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  const summary = ctx.index.one("income_expenditure_summary");
  const expend = ctx.index.one("expenditure_summary");
  const income = ctx.index.one("income_summary");
  const ev = expend ? ctx.index.side(expend) : undefined;
  if (summary && ev) {
    const right = ctx.index.side(summary, "right");
    if (right && right !== ctx.index.side(summary, "both")) {
      out.push(...perClass(ctx, RULES.klass, ev, firstValueColumn(ev), right, firstValueColumn(right), "收支总表各类支出应与支出表一致", "summary class amount should match the expenditure table", "error"));
    }
  }
  if (income && ev && ctx.doc.meta.docType !== "final_accounts") {
    // Budgets: each class / item is funded exactly by its income (决算 may differ by carry-over).
    // Every code level is compared so a changed 项 is named, not only its 类.
    const iv = ctx.index.side(income)!;
    out.push(...perCode(ctx, RULES.klass, iv, firstValueColumn(iv), ev, firstValueColumn(ev), "支出表应与收入表同一科目一致", "expenditure by code should match income by code", "warning"));
  }
  return out;
}

function funds(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  const fiscal = ctx.index.one("fiscal_summary");
  if (!fiscal) return out;
  const right = ctx.index.side(fiscal, "right");
  if (!right || right.side !== "right") return out;
  const totalRowR = right.rows.find((r) => /^(本年支出合计)$/.test(r.text)) ?? right.rows.filter((r) => /^(支出总计|总计|支出合计)$/.test(r.text)).pop();
  const targets: [RegExp, string, string, string][] = [
    [/一般公共预算/, "general_budget_expenditure", "一般公共预算支出表", "general budget expenditure table"],
    [/政府性基金/, "government_fund", "政府性基金预算支出表", "government fund table"],
    [/国有资本经营/, "state_capital", "国有资本经营预算支出表", "state capital table"],
  ];
  for (const [re, kind, zh, en] of targets) {
    const col = right.columns.find((c) => re.test(norm(c.path.join("/"))));
    const table = ctx.index.one(kind as Table["kind"]);
    if (!col || !table) continue;
    const other = tableTotal(ctx, table, table.kind !== "general_budget_expenditure" && ctx.doc.meta.docType === "final_accounts" ? ["本年支出", "合计"] : undefined) ?? tableTotal(ctx, table);
    if (totalRowR && other) {
      const here = amountAt(right, totalRowR.row, col) ?? exact(0n, right.unit);
      const f = crossFlag(ctx, RULES.fund, other, { view: right, row: totalRowR, column: col, amount: here }, `财政拨款支出${re.source}列应与${zh}合计一致`, `fiscal summary ${en} column should match that table's total`);
      if (f) out.push(f);
    }
    if (kind === "general_budget_expenditure") {
      const gv = ctx.index.side(table)!;
      out.push(...perClass(ctx, RULES.fund, gv, firstValueColumn(gv), right, col, `应与${zh}一致`, `should match the ${en}`));
    }
  }
  return out;
}

function basicProject(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  const general = ctx.index.one("general_budget_expenditure");
  if (!general) return out;
  const basic = ctx.index.one("general_budget_basic");
  const project = ctx.index.one("general_budget_project");
  const gBasic = tableTotal(ctx, general, ["基本支出"]);
  const gProject = tableTotal(ctx, general, ["项目支出"]);
  if (basic && gBasic && gBasic.column && /基本/.test(gBasic.column.path.join(""))) {
    const b = tableTotal(ctx, basic);
    if (b) { const f = crossFlag(ctx, RULES.basic, gBasic, b, "基本支出表合计应与一般公共预算支出表基本支出一致", "basic expenditure table total should match 基本支出 of the general budget table"); if (f) out.push(f); }
  }
  if (project && gProject && gProject.column && /项目/.test(gProject.column.path.join(""))) {
    const p = tableTotal(ctx, project);
    if (p) { const f = crossFlag(ctx, RULES.project, gProject, p, "项目支出表合计应与一般公共预算支出表项目支出一致", "project table total should match 项目支出 of the general budget table"); if (f) out.push(f); }
  }
  return out;
}

function vehicle(ctx: RuleContext): Flag[] {
  const basic = ctx.index.one("general_budget_basic");
  const running = threePublic(ctx, "running");
  if (!basic || !running) return [];
  for (const view of ctx.index.sides(basic)) {
    const row = view.rows.find((r) => r.code?.code === "30231");
    if (!row) continue;
    const col = findColumn(view, ["合计"]) ?? firstValueColumn(view);
    if (!col) continue;
    const a = amountAt(view, row.row, col);
    if (!a) continue;
    const b: Figure = { view, row, column: col, amount: a };
    // 三公 运行费 covers basic and project funds, so it may exceed 302 31; a shortfall cannot be explained.
    const f = crossFlag(ctx, RULES.vehicle, b, running, "三公经费公务用车运行费应与基本支出302 31公务用车运行维护费一致", "三公 vehicle running cost should match basic expenditure 302 31", "warning");
    if (f && !(f.severity === "warning" && running.amount.value > a.value)) return [f];
    return [];
  }
  return [];
}

function carryover(ctx: RuleContext): Flag[] {
  const t = ctx.index.one("carryover");
  const s = summaryFigure(ctx, "left", "carryover");
  if (!t || !s) return [];
  const c = tableTotal(ctx, t);
  if (!c) return [];
  const f = crossFlag(ctx, RULES.carryover, s, c, "上年结转结余表合计应与收支总表上年结转结余一致", "carry-over table total should match the summary's 上年结转结余");
  return f ? [f] : [];
}

/** 绩效目标表 form: label → amount pairs in reading order (a label takes the number right after it). */
export function formAmounts(form: { key: string; value: string }[]): { unit: "元" | "万元"; pairs: { label: string; amount: string }[] } {
  const tokens: string[] = [];
  let unit: "元" | "万元" = "万元";
  for (const f of form) {
    if (/\(元\)|（元）/.test(f.key)) unit = "元";
    // Keys can carry the form's group label (`项目资金(元)/上年结转资金`): the item is the last part.
    for (const part of [f.key.replace(/^.*\//u, ""), f.value]) {
      // "年度预算总额1.50;其中:财政拨款1.50;其他资金0.00" → label/number tokens.
      for (const m of norm(part).matchAll(/([^\d;；,，:：]+?)?[:：]?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d.])|([^\d;；:：]+)/g)) {
        if (m[3]) tokens.push(m[3]);
        else {
          if (m[1]) tokens.push(m[1]);
          tokens.push(`#${m[2]!.replace(/,/g, "")}`);
        }
      }
    }
  }
  const pairs: { label: string; amount: string }[] = [];
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    const n = tokens[i + 1]!;
    if (!t.startsWith("#") && n.startsWith("#")) pairs.push({ label: t.replace(/^(其中)/, "").replace(/[(（].*?[)）]$/, ""), amount: n.slice(1) });
  }
  return { unit, pairs };
}

function performance(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  const overall = ctx.index.one("performance_overall");
  const grand = summaryFigure(ctx, "left", "grand");
  if (overall?.form && grand) {
    const { unit, pairs } = formAmounts(overall.form);
    const parts = pairs.filter((p) => /上级安排|本级安排|^其他$|其他资金/.test(p.label));
    const total = pairs.find((p) => /资金总额|年度预算$/.test(p.label));
    const amounts = (total ? [total] : parts).map((p) => parseAmount(p.amount, unit)!);
    if (amounts.length > 0) {
      const view = ctx.index.side(overall)!;
      const sum: Amount = { value: amounts.reduce((s, a) => s + a.value, 0n), halfUlp: amounts.reduce((s, a) => s + a.halfUlp, 0n), text: "", unit };
      sum.text = formatMicro(sum.value, unit);
      const f = crossFlag(ctx, RULES.performance, grand, { view, row: undefined, column: undefined, amount: sum }, "部门整体绩效目标表年度预算资金合计应与收支总表收入总计一致", "overall performance form funds should match total income", "warning");
      if (f) out.push({ ...f, row: ["年度预算"] });
    }
  }
  for (const t of ctx.index.all("performance_project")) {
    if (!t.form) continue;
    const { unit, pairs } = formAmounts(t.form);
    const get = (re: RegExp) => pairs.find((p) => re.test(p.label));
    const total = get(/年度预算总额|项目资金总额|年度资金总额|^资金总额/);
    const fin = get(/^财政拨款$|^财政资金$/);
    const other = get(/^其他资金$/);
    const view = ctx.index.side(t)!;
    const check = (target: { label: string; amount: string } | undefined, parts: ({ label: string; amount: string } | undefined)[], zh: string, en: string) => {
      if (!target || parts.some((p) => !p)) return;
      const ps = parts.map((p) => parseAmount(p!.amount, unit)!);
      const act = parseAmount(target.amount, unit)!;
      const cmp = compareSum(ps, act, ctx.tol);
      const f = compareFlag({ rule: RULES.performanceProject, where: { table: t }, cmp, expected: ps.reduce((s, a) => s + a.value, 0n), actual: act, unit, zh, en });
      if (f) out.push({ ...f, row: [target.label], page: t.pages[0]! });
    };
    check(total, [fin, other], `${t.number}：年度预算总额应等于财政资金与其他资金之和`, "annual budget should equal fiscal funds plus other funds");
    check(fin, [get(/^当年财政拨款$/), get(/^上年结转资金$/)], `${t.number}：财政资金应等于当年财政拨款与上年结转资金之和`, "fiscal funds should equal this year's appropriation plus carry-over");
    void view;
  }
  return out;
}

/**
 * 机关运行经费 (三公 table column, or the Jiangsu 机关运行经费 table) vs the basic table's 公用经费
 * (or its 302 row): it is the administrative units' part of 公用经费, so more than 公用经费 cannot be.
 */
function runningCost(ctx: RuleContext): Flag[] {
  const tp = threePublic(ctx, "running_cost");
  const ops = ctx.index.one("operating_costs");
  const r = (tp?.column ? tp : undefined) ?? (ops ? tableTotal(ctx, ops) : undefined);
  if (!r) return [];
  let base = basicPart(ctx, "公用经费");
  let strict = true;
  if (!base || !base.column || !/公用/.test(base.column.path.join("") + (base.row?.text ?? ""))) {
    const basic = ctx.index.one("general_budget_basic");
    const view = basic ? ctx.index.side(basic) : undefined;
    const row = view?.rows.find((x) => x.code?.code === "302");
    const col = view ? firstValueColumn(view) : undefined;
    const a = view && row && col ? amountAt(view, row.row, col) : null;
    if (!view || !row || !col || !a) return [];
    base = { view, row, column: col, amount: a };
    strict = false;
  }
  const cmp = compareSum([base.amount], r.amount, ctx.tol);
  if (cmp.verdict === "mismatch" && r.amount.value < base.amount.value) {
    // Less than 公用经费 is normal when the department has 事业单位: note it, do not flag it.
    return [plainFlag("info", RULES.runningCost, whereOf(r.view, r.row, r.column),
      `机关运行经费${r.amount.text}小于${base.view.table.number}公用经费${base.amount.text}（含事业单位时属正常）`,
      `running cost below 公用经费 (normal when the department has public institutions)`,
      { expected: formatMicro(base.amount.value, r.view.unit), actual: formatMicro(r.amount.value, r.view.unit), difference: formatMicro(r.amount.value - base.amount.value, r.view.unit), unit: r.view.unit })];
  }
  const f = crossFlag(ctx, RULES.runningCost, base, r, "机关运行经费不应超过基本支出表公用经费（若口径含项目支出中的运行经费，请核对说明）", "running cost should not exceed the basic table's 公用经费 (unless this year's 口径 includes project-funded running costs)", strict ? "error" : "warning");
  return f ? [f] : [];
}

export function crossTable(ctx: RuleContext): Flag[] {
  return [...runningCost(ctx), ...totals(ctx), ...classes(ctx), ...funds(ctx), ...basicProject(ctx), ...vehicle(ctx), ...carryover(ctx), ...performance(ctx)];
}
