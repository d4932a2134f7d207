// Named figures of a document, found by kind and label rather than by printed position: the
// summary's grand totals, a table's total, a class row, a 三公 item. Cross-table and narrative rules
// both ask here, so the "which cell is 基本支出 total" knowledge lives once.
import type { Column, Table } from "../parsers/model.ts";
import type { DocContext } from "./context.ts";
import { exact, type Amount } from "./money.ts";
import {
  amountAt, findColumn, firstValueColumn, leafName, rowName, totalColumn, totalRow, type SideRow, type SideView,
} from "./tableIndex.ts";
import { norm, stripNumbering } from "./text.ts";

export type Figure = { view: SideView; row: SideRow | undefined; column: Column | undefined; amount: Amount };

function fig(view: SideView, row: SideRow | undefined, column: Column | undefined): Figure | undefined {
  if (!row || !column) return undefined;
  const a = amountAt(view, row.row, column);
  return { view, row, column, amount: a ?? exact(0n, view.unit) };
}

const SUBTOTAL = /^(本年收入合计|本年支出合计|当年收入小计|当年支出小计|本年收入小计|本年支出小计)$/;

/** Summary-table figures (收支总表): grand totals and 本年 subtotals per side. */
export function summaryFigure(ctx: DocContext, side: "left" | "right", which: "grand" | "subtotal" | "carryover"): Figure | undefined {
  const t = ctx.index.one("income_expenditure_summary");
  if (!t) return undefined;
  const all = ctx.index.sides(t);
  const views = all.length === 1 ? all : all.filter((v) => v.side === side);
  let fallback: Figure | undefined;
  // A side may hold two lists (Jiangsu: 功能分类 | 支出用途); the total is printed under one of them.
  for (const view of views) {
    const col = firstValueColumn(view);
    let row: SideRow | undefined;
    if (which === "grand") {
      row = view.rows.filter((r) => /^(收入总计|支出总计|总计)$/.test(r.text)).pop()
        ?? view.rows.filter((r) => /^(收入合计|支出合计)$/.test(r.text)).pop();
    } else if (which === "subtotal") {
      row = view.rows.find((r) => SUBTOTAL.test(r.text));
    } else {
      row = view.rows.find((r) => /^上年结转(结余|资金|和结余)?$/.test(stripNumbering(r.text)));
    }
    const f = fig(view, row, col);
    if (f && col && row && amountAt(view, row.row, col) !== null) return f;
    fallback ??= f;
  }
  return which === "carryover" ? fallback : undefined;
}

/** A table's overall amount: its total row in its total column (blank-only empty tables read 0). */
export function tableTotal(ctx: DocContext, table: Table, columnKeywords?: string[]): Figure | undefined {
  const views = ctx.index.sides(table);
  const view = views[0];
  if (!view) return undefined;
  if (views.length === 2) {
    // Two-sided tables without a shared total (决算 基本支出: 人员经费合计 | 公用经费合计): sum the sides.
    const parts = views.map((v) => tableTotal1(v, columnKeywords)).filter((f): f is Figure => f !== undefined);
    if (parts.length === 2 && parts[0]!.row && parts[1]!.row && !parts[0]!.row.text.includes("总计")) {
      const a = parts[0]!.amount;
      const b = parts[1]!.amount;
      return { ...parts[0]!, amount: { value: a.value + b.value, halfUlp: a.halfUlp + b.halfUlp, text: "", unit: a.unit } };
    }
    return parts[0];
  }
  return tableTotal1(view, columnKeywords);
}

function tableTotal1(view: SideView, columnKeywords?: string[]): Figure | undefined {
  const col = columnKeywords ? findColumn(view, columnKeywords) : totalColumn(view);
  if (!col) return undefined;
  let row = totalRow(view);
  if (!row) row = view.rows.find((r) => /(合计|总计)$/.test(r.text) && !r.code);
  if (!row) {
    // One data row (Shanghai 三公 table, Jiangsu 支出预算总表): the row with amounts.
    const withValues = view.rows.filter((r) => amountAt(view, r.row, col) !== null);
    if (withValues.length === 1) row = withValues[0];
  }
  if (!row && view.table.empty) return { view, row: undefined, column: col, amount: exact(0n, view.unit) };
  return fig(view, row, col);
}

/** Rows for a classification item: by code, or by the (类)(款)(项) names as printed. */
export function itemRow(view: SideView, names: string[], code?: string): SideRow | undefined {
  if (code) {
    const r = view.rows.find((x) => x.code?.code === code && x.code.scheme === "functional");
    if (r) return r;
  }
  const same = (a: string, b: string) => {
    const x = norm(a).replace(/\(.*?\)/g, "");
    const y = norm(b).replace(/\(.*?\)/g, "");
    return x === y || (x.length >= 4 && y.length >= 4 && (x.endsWith(y) || y.endsWith(x)));
  };
  let prefix = "";
  let found: SideRow | undefined;
  const lens = [3, 5, 7];
  for (let i = 0; i < names.length; i++) {
    const len = lens[i]!;
    const cands = view.rows.filter((r) => r.code && r.code.code.length === len && r.code.code.startsWith(prefix) && same(rowName(r), names[i]!));
    if (cands.length === 0) return undefined;
    found = cands[0];
    prefix = found!.code!.code;
  }
  return found;
}

export type ThreePublicConcept = "total" | "abroad" | "vehicle" | "purchase" | "running" | "reception" | "running_cost";

const TP_WORDS: Record<ThreePublicConcept, RegExp> = {
  total: /^(合计|三公经费(合计|预算数|决算数)?|财政拨款三公经费(合计)?)$/,
  abroad: /因公出国/,
  vehicle: /公务用车购置及运行/,
  purchase: /公务用车购置费|^购置费$/,
  running: /公务用车运行(维护)?费|^运行(维护)?费$/,
  reception: /公务接待/,
  running_cost: /机关运行经费/,
};

/** A 三公 figure whichever way the table is laid out (items as rows, or items as columns). */
export function threePublic(ctx: DocContext, concept: ThreePublicConcept): Figure | undefined {
  const t = ctx.index.one("three_public");
  if (!t) return undefined;
  const view = ctx.index.side(t, "both")!;
  const re = TP_WORDS[concept];
  const final = ctx.doc.meta.docType === "final_accounts";
  // Items as rows (seed 表10).
  const row = view.rows.find((r) => re.test(stripNumbering(r.text).replace(/\(小计\)|小计$/, "")));
  if (row) return fig(view, row, firstValueColumn(view));
  // Items as columns: the concept names a leaf, or a group whose 小计 stands for it.
  const cols = view.columns.filter((c) => {
    const parts = c.path.map(norm);
    const hit = parts.findIndex((p) => re.test(p));
    if (hit < 0) return false;
    const below = parts.slice(hit + 1);
    const okMeasure = !final || below.some((p) => p.includes("决算")) || parts.some((p) => p.includes("决算"));
    const okSub = below.length === 0 || below.every((p) => /小计|合计|预算数|决算数/.test(p));
    return okMeasure && okSub;
  });
  if (cols.length === 0 && concept === "total") {
    const c = view.columns.find((x) => /^合计$/.test(norm(x.path[x.path.length - (final ? 2 : 1)] ?? "")) && (!final || leafName(x).includes("决算")));
    if (c) cols.push(c);
  }
  // 三公 total: a column under a 三公 heading beats a bare 合计 (Jiangsu's 合计 adds 会议费 and 培训费).
  const sanGong = (c: Column) => (c.path.some((p) => /三公/.test(norm(p))) ? 0 : 1);
  const col = cols.sort((a, b) => (concept === "total" ? sanGong(a) - sanGong(b) : 0) || a.path.length - b.path.length)[0];
  if (!col) return t.empty ? { view, row: undefined, column: undefined, amount: exact(0n, view.unit) } : undefined;
  const dataRows = view.rows.filter((r) => amountAt(view, r.row, col) !== null);
  const r = dataRows.find((x) => /合计|总计/.test(x.text)) ?? dataRows[0] ?? view.rows[0];
  return fig(view, r, col);
}

/** A value column of a view whose leaf (or path) names the income source / fund, for narrative subjects. */
export function columnNamed(view: SideView, subject: string): Column | undefined {
  const s = norm(subject);
  const exactHit = view.columns.find((c) => leafName(c) === s);
  if (exactHit) return exactHit;
  const starts = view.columns.filter((c) => leafName(c).length >= 4 && s.startsWith(leafName(c))).sort((a, b) => leafName(b).length - leafName(a).length);
  return starts[0];
}

/** 人员经费 / 公用经费 totals of the basic-expenditure table, whichever way it is laid out. */
export function basicPart(ctx: DocContext, which: string): Figure | undefined {
  const b = ctx.index.one("general_budget_basic");
  if (!b) return undefined;
  const views = ctx.index.sides(b);
  if (views.length === 2) {
    // 决算 layout: 人员经费合计 on the left, 公用经费合计 on the right.
    for (const v of views) {
      const row = v.rows.find((r) => r.text.startsWith(which));
      const col = firstValueColumn(v);
      if (row && col) return { view: v, row, column: col, amount: amountAt(v, row.row, col) ?? exact(0n, v.unit) };
    }
    return undefined;
  }
  return tableTotal(ctx, b, [which]);
}

