// Narrative vs tables and vs itself: each stated amount against the table figure it names, each
// share (占 x%) against amount / base, each year-on-year change against change / last year,
// 运行经费, 政府采购 parts, and the 决算 words (大于/小于/持平, 完成 x%) against the figures beside them.
import type { AmountFact, FinalComparison } from "../../parsers/narrative/index.ts";
import type { DocContext, RuleContext } from "../context.ts";
import { basicPart, columnNamed, itemRow, summaryFigure, tableTotal, threePublic, type Figure, type ThreePublicConcept } from "../figures.ts";
import type { Flag } from "../flag.ts";
import { compareFlag, locate, plainFlag } from "../flagging.ts";
import { abs, exact, formatMicro, parseAmount, type Amount } from "../money.ts";
import { amountAt, firstValueColumn, type SideView } from "../tableIndex.ts";
import { checkRatio, compareSum, formatPercentMicro, parsePercent } from "../tolerance.ts";
import { norm } from "../text.ts";

export const RULES = {
  amount: "narrative.amount",
  emptyTable: "narrative.empty_table",
  share: "narrative.share",
  change: "narrative.change",
  running: "narrative.running_cost",
  procurement: "narrative.procurement",
  finalWords: "narrative.final_vs_budget",
  words: "narrative.words",
  completion: "narrative.completion_rate",
} as const;

function factAmount(f: { amount: string; unit: "元" | "万元" }): Amount {
  return parseAmount(f.amount, f.unit) ?? exact(0n, f.unit);
}

function subjectOf(ctx: DocContext, f: AmountFact): string {
  let s = norm(f.subject);
  const dept = ctx.doc.meta.department ? norm(ctx.doc.meta.department) : "";
  if (dept && s.includes(dept)) s = s.slice(s.indexOf(dept) + dept.length);
  return s.replace(/^(的|本部门|部门|本单位|单位)/, "").replace(/^(的|部门)/, "");
}

function generalView(ctx: DocContext, f: AmountFact): SideView | undefined {
  const cls = f.item?.names[0] ?? "";
  const order: ("general_budget_expenditure" | "state_capital" | "government_fund" | "expenditure_summary")[] =
    /国有资本经营/.test(cls) || (f.section.subTopic ?? f.section.topic) === "state_capital" ? ["state_capital", "expenditure_summary"]
      : /政府性基金/.test(f.section.topic) ? ["government_fund"] : ["general_budget_expenditure", "expenditure_summary"];
  for (const k of order) {
    const t = ctx.index.one(k);
    if (t && !t.empty) return ctx.index.side(t);
  }
  return undefined;
}

const TP: [RegExp, ThreePublicConcept][] = [
  [/公务用车购置及运行/, "vehicle"], [/公务用车购置费|公务车购置费/, "purchase"], [/运行(维护)?费$/, "running"],
  [/因公出国/, "abroad"], [/公务接待/, "reception"], [/三公/, "total"],
];

/** The table figure a narrative amount speaks of, when it can be named with confidence. */
export function resolveFact(ctx: DocContext, f: AmountFact): Figure | undefined {
  const topic = f.section.subTopic ?? f.section.topic;
  const s = subjectOf(ctx, f);
  if (f.role === "previous_execution" || f.role === "budget_full_year" || f.role === "budget_initial") return undefined;
  if (/预留|中小|小微|采购|价值|设备|车辆|每|一年|每月|项目涉及|涉及预算|绩效|资产/.test(s)) return undefined;
  // (类)(款)(项) items.
  if (f.item && (f.role === "current" || f.role === "actual" || /\(\d*[类款项]\)(支出)?$/.test(s) || s === "")) {
    const view = generalView(ctx, f);
    if (!view) return undefined;
    const row = itemRow(view, f.item.names, f.item.code);
    const col = firstValueColumn(view);
    if (!row || !col) return undefined;
    return { view, row, column: col, amount: exactOrZero(view, row, col) };
  }
  if (topic === "three_public" || /三公/.test(s)) {
    if (/增加|减少/.test(s)) return undefined;
    for (const [re, c] of TP) if (re.test(s)) return threePublic(ctx, c);
    return undefined;
  }
  if (/^(收支总预算|收支总计|收入支出总计|收支预算总额|收支总额|收支预算)$/.test(s) && topic !== "fiscal") return summaryFigure(ctx, "left", "grand");
  if (/^财政拨款收(支|入支出)总(预算|计)$|^财政拨款收支预算$/.test(s)) {
    const t = ctx.index.one("fiscal_summary");
    if (!t) return undefined;
    const left = ctx.index.side(t, "left");
    if (!left) return undefined;
    const row = left.rows.filter((r) => /^(收入总计|总计|收入合计)$/.test(r.text)).pop();
    const col = firstValueColumn(left);
    return row && col ? { view: left, row, column: col, amount: exactOrZero(left, row, col) } : undefined;
  }
  if (topic === "income" || topic === "overall") {
    if (/^(部门)?收入(总)?(预算|决算)?(总计|合计|总额)?$/.test(s)) return summaryFigure(ctx, "left", "grand");
    if (/^本年收入(合计)?$/.test(s)) return summaryFigure(ctx, "left", "subtotal") ?? summaryFigure(ctx, "left", "grand");
    const inc = ctx.index.one("income_summary");
    if (inc && topic === "income") {
      const v = ctx.index.side(inc)!;
      const col = columnNamed(v, s);
      const total = tableTotal(ctx, inc);
      if (col && total?.row) return { view: v, row: total.row, column: col, amount: exactOrZero(v, total.row, col) };
    }
    return undefined;
  }
  if (topic === "expenditure") {
    if (/^(部门)?支出(总)?(预算|决算)?(总计|合计|总额)?$/.test(s)) return summaryFigure(ctx, "right", "grand");
    if (/^本年支出(合计)?$/.test(s)) return summaryFigure(ctx, "right", "subtotal") ?? summaryFigure(ctx, "right", "grand");
    const exp = ctx.index.one("expenditure_summary");
    if (exp && /^(基本支出|项目支出)$/.test(s)) return tableTotal(ctx, exp, [s]);
    return undefined;
  }
  if (topic === "general") {
    const g = ctx.index.one("general_budget_expenditure");
    if (!g) return undefined;
    if (/^一般公共预算(当年)?(拨款|财政拨款)?(支出)?(合计)?$/.test(s) && /拨款|支出/.test(s)) return tableTotal(ctx, g);
    if (/^(基本支出|项目支出)$/.test(s)) return tableTotal(ctx, g, [s]);
    return undefined;
  }
  if (topic === "basic") {
    const b = ctx.index.one("general_budget_basic");
    if (!b) return undefined;
    if (/基本支出$/.test(s)) return tableTotal(ctx, b);
    if (/^(人员经费|公用经费)$/.test(s)) return basicPart(ctx, s);
    return undefined;
  }
  if (topic === "fiscal") {
    const t = ctx.index.one("fiscal_summary");
    if (!t) return undefined;
    const left = ctx.index.side(t, "left");
    if (!left) return undefined;
    const m = /^(一般公共预算|政府性基金预算|国有资本经营预算)(拨款|财政拨款)(收入)?$/.exec(s);
    if (m) {
      const row = left.rows.find((r) => r.text.replace(/^[一二三四五六七八九十\d]+[、.．]/, "").startsWith(m[1]!));
      const col = firstValueColumn(left);
      if (row && col) return { view: left, row, column: col, amount: exactOrZero(left, row, col) };
    }
    return undefined;
  }
  if (topic === "carryover" && /^(上年)?结转结余$/.test(s)) {
    const t = ctx.index.one("carryover");
    return t ? tableTotal(ctx, t) : summaryFigure(ctx, "left", "carryover");
  }
  if (topic === "fund" && /^政府性基金预算(拨款|支出|财政拨款)/.test(s)) {
    const t = ctx.index.one("government_fund");
    return t ? tableTotal(ctx, t) : undefined;
  }
  if (topic === "state_capital" && /^国有资本经营预算(拨款|支出|财政拨款)/.test(s)) {
    const t = ctx.index.one("state_capital");
    return t ? tableTotal(ctx, t) : undefined;
  }
  return undefined;
}

function exactOrZero(view: SideView, row: { row: SideView["rows"][number]["row"] }, col: SideView["columns"][number]): Amount {
  const c = row.row.cells.find((x) => x.column === col.index);
  return (c?.value ? parseAmount(c.value, view.unit) : null) ?? exact(0n, view.unit);
}

function tableName(fig: Figure): string {
  const t = fig.view.table;
  return t.title.includes(t.number) ? t.title : `${t.number}${t.title}`;
}

/**
 * `page` is the sentence's page; `box` and `boxPage` are the quoted table cell's (from locate) —
 * only when that cell prints the figure compared. A figure summed from several cells (决算 基本支出 =
 * 人员经费合计 + 公用经费合计, no printed total) has no one cell: no box rather than a wrong one.
 */
function narrativeWhere(f: { page: number }, fig?: Figure) {
  const base = fig ? locate({ table: fig.view.table, ...(fig.row ? { row: fig.row.row, rowLabel: fig.row.label } : {}), ...(fig.column ? { column: fig.column } : {}) }) : {};
  const printed = fig?.row && fig.column ? amountAt(fig.view, fig.row.row, fig.column) : null;
  if (base.box && printed?.value !== fig?.amount.value) {
    delete base.box;
    delete base.boxPage;
  }
  return { ...base, page: f.page };
}

function amountFlags(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const f of ctx.facts.amounts) {
    const fig = resolveFact(ctx, f);
    if (!fig) continue;
    const stated = factAmount(f);
    const cmp = compareSum([fig.amount], stated, ctx.tol);
    if (cmp.verdict === "equal") continue;
    const empty = fig.view.table.empty && stated.value !== 0n;
    const unit = f.unit;
    const flag = compareFlag({
      rule: empty ? RULES.emptyTable : RULES.amount,
      where: {}, cmp, expected: fig.amount.value, actual: stated, unit,
      zh: empty ? `说明第${f.page}页称“${f.subject}${f.amount}${unit}”，但${tableName(fig)}为空表` : `说明第${f.page}页“${f.subject}${f.amount}${unit}”与${tableName(fig)}不一致`,
      en: empty ? `the narrative quotes an amount for a table printed empty` : `the narrative amount does not match the table`,
    });
    if (flag) out.push({ ...flag, ...narrativeWhere(f, fig), message: `${flag.message}。原文 / text: ${f.sentence.slice(0, 120)}` });
  }
  return out;
}

/** The printed percentage is the computed one cut (not rounded) at its last digit: a style slip, not a wrong figure. */
function truncated(printed: bigint, halfUlp: bigint, computed: bigint): boolean {
  const ulp = halfUlp * 2n;
  if (ulp === 0n) return false;
  return computed >= 0n && (computed / ulp) * ulp === printed;
}

function shareBase(ctx: RuleContext, f: AmountFact): Amount | undefined {
  const base = norm(f.share?.base ?? "");
  if (base !== "") {
    if (/本年支出合计|支出合计|支出总计/.test(base)) return (summaryFigure(ctx, "right", "subtotal") ?? summaryFigure(ctx, "right", "grand"))?.amount;
    if (/本年收入合计|收入合计|收入总计/.test(base)) return (summaryFigure(ctx, "left", "subtotal") ?? summaryFigure(ctx, "left", "grand"))?.amount;
    return undefined;
  }
  return f.shareBase ? factAmount(f.shareBase) : undefined;
}

function shareFlags(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const f of ctx.facts.amounts) {
    if (!f.share) continue;
    const base = shareBase(ctx, f);
    const pct = parsePercent(f.share.percent);
    if (!base || !pct) continue;
    const amount = factAmount(f);
    const r = checkRatio(amount, base, pct, ctx.tol);
    if (r.consistent || r.computedMicro === null) continue;
    const computed = formatPercentMicro(r.computedMicro);
    out.push(plainFlag(truncated(pct.micro, pct.halfUlp, r.computedMicro) ? "warning" : "error", RULES.share, { page: f.page },
      `说明称“${f.subject}${f.amount}${f.unit}，占${f.share.percent}%”，按${formatMicro(base.value, f.unit)}${f.unit}计算应为${computed}%`,
      `stated share ${f.share.percent}% of ${f.subject}; ${f.amount} / ${formatMicro(base.value, f.unit)} = ${computed}%`,
      { expected: computed, actual: f.share.percent, difference: formatPercentMicro(pct.micro - r.computedMicro), unit: "%" }));
  }
  return out;
}

/** Stated change (amount and/or %) against itself, and against an explicitly stated previous figure. */
function changeFlags(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  const facts = ctx.facts.amounts;
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    const c = f.change;
    if (!c || c.direction === "flat") continue;
    const cur = factAmount(f);
    const sign = c.direction === "increase" ? 1n : -1n;
    if (c.amount !== undefined && c.percent !== undefined) {
      const delta = parseAmount(c.amount, f.unit)!;
      const pct = parsePercent(c.percent)!;
      const last: Amount = { value: cur.value - sign * delta.value, halfUlp: cur.halfUlp + delta.halfUlp, text: "", unit: f.unit };
      if (last.value <= 0n) {
        // Nothing last year: 100% (or 0% for a zero change) is the convention.
        const ok = (delta.value === 0n && pct.micro === 0n) || pct.micro === 100_000_000n || last.value + last.halfUlp > 0n && delta.value === cur.value;
        if (!ok) out.push(plainFlag("warning", RULES.change, { page: f.page },
          `说明称“${f.subject}比上年${c.direction === "increase" ? "增加" : "减少"}${c.amount}${f.unit}，${c.percent}%”，但上年数按此为${formatMicro(last.value, f.unit)}`,
          `stated change implies last year's figure ${formatMicro(last.value, f.unit)}, which cannot give ${c.percent}%`, { actual: c.percent, unit: "%" }));
        continue;
      }
      const r = checkRatio(delta, last, pct, ctx.tol);
      if (!r.consistent && r.computedMicro !== null) {
        const computed = formatPercentMicro(r.computedMicro);
        out.push(plainFlag("error", RULES.change, { page: f.page },
          `说明称“${f.subject}${f.amount}${f.unit}，比上年${c.direction === "increase" ? "增加" : "减少"}${c.amount}${f.unit}，${c.direction === "increase" ? "增长" : "下降"}${c.percent}%”，按上年${formatMicro(last.value, f.unit)}${f.unit}计算应为${computed}%`,
          `stated change ${c.percent}% does not match ${c.amount} / ${formatMicro(last.value, f.unit)} = ${computed}%`,
          { expected: computed, actual: c.percent, difference: formatPercentMicro(pct.micro - r.computedMicro), unit: "%" }));
      }
      continue;
    }
    if (c.percent !== undefined && c.amount === undefined) {
      // Shanghai: "2025年预算执行数为A万元，2026年预算安排B万元，比2025年预算执行数增加x%".
      const prev = [...facts.slice(0, i)].reverse().find((p) => p.role === "previous_execution" && p.sentence === f.sentence)
        ?? [...facts.slice(0, i)].reverse().find((p) => p.role === "previous_execution" && p.item && f.item && p.item.names.join() === f.item.names.join() && i - facts.indexOf(p) <= 3);
      if (!prev) continue;
      const base = factAmount(prev);
      const pct = parsePercent(c.percent)!;
      const delta: Amount = { value: abs(cur.value - base.value), halfUlp: cur.halfUlp + base.halfUlp, text: "", unit: f.unit };
      const dirOk = cur.value === base.value || (cur.value > base.value) === (c.direction === "increase");
      const r = checkRatio(delta, base, pct, ctx.tol);
      if (!dirOk || (!r.consistent && r.computedMicro !== null)) {
        const signed = base.value === 0n ? null : ((cur.value - base.value) * 100_000_000n) / base.value;
        const computed = signed === null ? "—" : formatPercentMicro(signed);
        out.push(plainFlag("error", RULES.change, { page: f.page },
          `说明称由${prev.amount}${prev.unit}到${f.amount}${f.unit}“${c.direction === "increase" ? "增加" : "减少"}${c.percent}%”，按数字计算为${computed}%`,
          `stated ${c.direction} of ${c.percent}% from ${prev.amount} to ${f.amount}; the figures give ${computed}%`,
          { expected: computed, actual: `${c.direction === "decrease" ? "-" : ""}${c.percent}`, unit: "%" }));
      }
    }
  }
  return out;
}

function runningCost(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const f of ctx.facts.amounts) {
    if (!/运行经费/.test(f.subject) || /增加|减少/.test(f.subject)) continue;
    const tp = threePublic(ctx, "running_cost");
    const fig = (tp && tp.column ? tp : undefined) ?? basicPart(ctx, "公用经费");
    if (!fig) continue;
    const stated = factAmount(f);
    const cmp = compareSum([fig.amount], stated, ctx.tol);
    // 机关运行经费 covers administrative units only, so less than the whole 公用经费 is expected.
    const subset = !fig.column || !/机关运行经费/.test(fig.column.path.join("")) ? stated.value < fig.amount.value : false;
    const flag = compareFlag({ rule: RULES.running, where: {}, cmp, expected: fig.amount.value, actual: stated, unit: f.unit, mismatch: subset ? "info" : "warning",
      zh: `说明所列运行经费与${fig.view.table.number}${fig.column ? fig.column.path.join("/") : ""}不一致`, en: "stated running cost differs from the table's 公用经费 / 机关运行经费" });
    if (flag) out.push({ ...flag, ...narrativeWhere(f, fig) });
  }
  return out;
}

function procurement(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const p of ctx.facts.procurement) {
    const parts = [p.goods, p.works, p.services].filter((x): x is string => x !== undefined).map((x) => parseAmount(x, p.unit)!);
    const total = parseAmount(p.total, p.unit)!;
    const cmp = compareSum(parts, total, ctx.tol);
    const flag = compareFlag({ rule: RULES.procurement, where: { page: p.page }, cmp, expected: parts.reduce((s, a) => s + a.value, 0n), actual: total, unit: p.unit,
      zh: "政府采购总额应等于货物、工程、服务之和", en: "procurement total should equal goods + works + services" });
    if (flag) out.push({ ...flag, message: `${flag.message}。原文 / text: ${p.sentence.slice(0, 120)}` });
    const t = ctx.index.one("procurement");
    const fig = t ? tableTotal(ctx, t) : undefined;
    if (fig) {
      const c2 = compareSum([fig.amount], total, ctx.tol);
      const f2 = compareFlag({ rule: RULES.amount, where: {}, cmp: c2, expected: fig.amount.value, actual: total, unit: p.unit,
        zh: `说明所列政府采购总额与${tableName(fig)}不一致`, en: "the stated procurement total does not match the procurement table" });
      if (f2) out.push({ ...f2, ...narrativeWhere(p, fig) });
    }
  }
  return out;
}

function finalWords(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const c of ctx.facts.comparisons) {
    out.push(...finalOne(ctx, c));
  }
  return out;
}

function finalOne(ctx: RuleContext, c: FinalComparison): Flag[] {
  const out: Flag[] = [];
  const amt = (s?: string) => (s === undefined ? undefined : parseAmount(s, c.unit) ?? undefined);
  const actual = amt(c.actual);
  const full = amt(c.fullYear);
  const initial = amt(c.initial);
  const budget = full ?? initial;
  const what = c.item ? c.item.names.join("") : "";
  if (c.word && actual && budget) {
    const cmp = compareSum([budget], actual, ctx.tol);
    const relation = cmp.verdict === "equal" ? "equal" : cmp.verdict === "rounding" ? "roughly" : actual.value < budget.value ? "less" : "greater";
    const ok = relation === c.word || (relation === "roughly");
    if (!ok) {
      const zhWord = { less: "小于", greater: "大于", equal: "等于" } as const;
      out.push(plainFlag("error", RULES.finalWords, { page: c.page },
        `说明称决算数${zhWord[c.word]}预算数（${c.wordText ?? ""}），但${what}决算数${c.actual}、预算数${formatMicro(budget.value, c.unit)}`,
        `the text says 决算 is ${c.word} than/equal to 预算, but the figures are ${c.actual} vs ${formatMicro(budget.value, c.unit)}`,
        { expected: formatMicro(budget.value, c.unit), actual: c.actual!, difference: formatMicro(actual.value - budget.value, c.unit), unit: c.unit }));
    }
  }
  if (c.completion && actual) {
    const pct = parsePercent(c.completion.percent)!;
    const base = c.completion.base === "initial" ? initial ?? full : full ?? initial;
    if (base && base.value !== 0n) {
      const r = checkRatio(actual, base, pct, ctx.tol);
      if (!r.consistent && r.computedMicro !== null) {
        out.push(plainFlag(truncated(pct.micro, pct.halfUlp, r.computedMicro) ? "warning" : "error", RULES.completion, { page: c.page },
          `说明称完成预算的${c.completion.percent}%，按${c.actual}/${formatMicro(base.value, c.unit)}计算为${formatPercentMicro(r.computedMicro)}%`,
          `stated completion ${c.completion.percent}% but ${c.actual} / ${formatMicro(base.value, c.unit)} = ${formatPercentMicro(r.computedMicro)}%`,
          { expected: formatPercentMicro(r.computedMicro), actual: c.completion.percent, unit: "%" }));
      }
    } else if (base && base.value === 0n && c.completion.base === "initial") {
      out.push(plainFlag("warning", RULES.completion, { page: c.page },
        `说明称完成年初预算的${c.completion.percent}%，但年初预算为0；该比例按全年预算计算`,
        `completion is stated against 年初预算 which is 0; the percentage was computed on the full-year budget`,
        { actual: c.completion.percent, unit: "%" }));
    }
  }
  return out;
}

function relations(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const r of ctx.facts.relations) {
    const a = parseAmount(r.left.amount, r.unit);
    const b = parseAmount(r.right.amount, r.unit);
    if (!a || !b) continue;
    const cmp = compareSum([b], a, ctx.tol);
    const rel = cmp.verdict !== "mismatch" ? "equal" : a.value < b.value ? "less" : "greater";
    if (rel === r.word || cmp.verdict === "rounding") continue;
    out.push(plainFlag("error", RULES.words, { page: r.page },
      `说明称“${r.left.subject}${r.left.amount}${r.unit}${r.wordText}${r.right.subject}${r.right.amount}${r.unit}”，与数字不符`,
      `the text says ${r.left.amount} is ${r.word} than ${r.right.amount}, which the figures contradict`,
      { expected: rel === "less" ? "小于" : rel === "greater" ? "大于" : "等于", actual: r.wordText, row: [r.left.subject, r.right.subject] }));
  }
  return out;
}

export function narrative(ctx: RuleContext): Flag[] {
  return [...amountFlags(ctx), ...shareFlags(ctx), ...changeFlags(ctx), ...runningCost(ctx), ...procurement(ctx), ...finalWords(ctx), ...relations(ctx)];
}

