// Within one table: classification hierarchy (类 = Σ 款 = Σ 项), total row = Σ top-level rows,
// column identities read off the header tree (合计 = 基本支出 + 项目支出, 总计 = Σ sources,
// 小计 = Σ parts), and the outline of the two-sided summaries (本年收入 = Σ sources,
// 收入总计 = 本年收入 + 上年结转结余 = 支出总计).
import type { Column } from "../../parsers/model.ts";
import type { Flag } from "../flag.ts";
import { compareFlag, locate, whereOf } from "../flagging.ts";
import { threePublic } from "../figures.ts";
import { parseAmount } from "../money.ts";
import type { RuleContext } from "../context.ts";
import { amountAt, amountOrZero, leafName, rowHasValues, type SideRow, type SideView } from "../tableIndex.ts";
import { compareSum } from "../tolerance.ts";
import type { Amount } from "../money.ts";
import { isTotalWord, norm } from "../text.ts";

export const RULES = {
  children: "sum.children",
  total: "sum.total",
  unit: "sum.unit_rows",
  columns: "sum.columns",
  outline: "sum.outline",
  subItems: "sum.sub_items",
  balance: "balance.two_sided",
  misplaced: "sum.misplaced_column",
  threePublic: "sum.three_public",
  procurement: "sum.procurement",
  labelGroups: "sum.label_groups",
} as const;

/** Check actual = Σ parts on every value column of the view; blanks are 0, a row of blanks is skipped. */
type Fallback = (target: SideRow) => { view: SideView; col: Column; amount: Amount } | undefined;

function checkRowSum(ctx: RuleContext, view: SideView, target: SideRow, parts: SideRow[], rule: string, zh: string, en: string, skipBlankTarget = false, fallback?: Fallback): Flag[] {
  const out: Flag[] = [];
  for (const col of view.columns) {
    let actual = amountAt(view, target.row, col);
    let where = whereOf(view, target, col);
    // Summary totals are sometimes printed once across merged columns (Jiangsu: under the second
    // list of the same side): compare with that figure; otherwise a blank there is not a 0.
    if (skipBlankTarget && actual === null && fallback && view.columns.length === 1) {
      const fb = fallback(target);
      if (fb) { actual = fb.amount; where = whereOf(fb.view, target, fb.col); }
    }
    if (skipBlankTarget && actual === null) continue;
    const partAmounts = parts.map((p) => amountAt(view, p.row, col));
    if (actual === null && partAmounts.every((a) => a === null)) continue;
    const act = actual ?? amountOrZero(view, target.row, col);
    const ps = partAmounts.map((a, i) => a ?? amountOrZero(view, parts[i]!.row, col));
    const cmp = compareSum(ps, act, ctx.tol);
    const f = compareFlag({
      rule, where, cmp,
      expected: ps.reduce((s, a) => s + a.value, 0n), actual: act, unit: view.unit, zh, en,
    });
    if (f) out.push(f);
  }
  return out;
}

/** Split coded rows into blocks at unit rows (a named, uncoded row with amounts: one budget unit's rows). */
function blocks(view: SideView): { head: SideRow | undefined; rows: SideRow[] }[] {
  const out: { head: SideRow | undefined; rows: SideRow[] }[] = [{ head: undefined, rows: [] }];
  for (const r of view.rows) {
    const cur = out[out.length - 1]!;
    if (r.code) {
      cur.rows.push(r);
      continue;
    }
    const unitRow = !r.row.isTotal && !isTotalWord(r.text) && r.text !== "" && rowHasValues(view, r.row);
    if (!unitRow) continue;
    if (cur.rows.length === 0 && cur.head === undefined) cur.head = r;
    else out.push({ head: r, rows: [] });
  }
  return out.filter((b) => b.rows.length > 0);
}

/** Direct children of a coded row: the next printed level below it (款 under 类, or 项 when 款 is skipped). */
function childrenOf(parent: SideRow, rows: SideRow[]): SideRow[] {
  const code = parent.code!;
  const deeper = rows.filter((r) => r.code && r.code.scheme === code.scheme && r.code.code.length > code.code.length && r.code.code.startsWith(code.code));
  if (deeper.length === 0) return [];
  const next = Math.min(...deeper.map((r) => r.code!.code.length));
  return deeper.filter((r) => r.code!.code.length === next);
}

/**
 * Two columns of one parent off by +d and −d: a child printed d under the wrong column (its 合计
 * unchanged). Name that child, so the analyst is sent to the row that was mistyped.
 */
function misplaced(view: SideView, parent: SideRow, kids: SideRow[], flags: Flag[]): Flag[] {
  const errs = flags.filter((f) => f.severity === "error" && f.difference);
  const out: Flag[] = [];
  for (const e of errs) {
    const d = e.difference!;
    const twin = errs.find((x) => x !== e && x.difference === (d.startsWith("-") ? d.slice(1) : `-${d}`));
    if (!twin || d.startsWith("-")) continue;
    // e: parent printed more than its children in column A; twin: less in column B → a child moved A→B.
    const colB = view.columns.find((c) => JSON.stringify(c.path) === JSON.stringify(twin.column));
    const colA = view.columns.find((c) => JSON.stringify(c.path) === JSON.stringify(e.column));
    if (!colA || !colB) continue;
    for (const k of kids) {
      const b = amountAt(view, k.row, colB);
      const a = amountAt(view, k.row, colA);
      if (b && b.value === parseAmount(d, view.unit)?.value && (a === null || a.value === 0n)) {
        out.push({
          severity: "error", rule: RULES.misplaced, ...locate({ table: view.table, row: k.row, rowLabel: k.label, column: colB }),
          expected: "0", actual: b.text, difference: b.text, unit: view.unit,
          message: `${k.text} 的 ${b.text} 似应列在“${leafName(colA)}”而非“${leafName(colB)}”（${parent.text} 的两列因此不平）/ ${b.text} seems to be printed under ${leafName(colB)} instead of ${leafName(colA)}`,
        });
      }
    }
  }
  return out;
}

function hierarchy(ctx: RuleContext, view: SideView): Flag[] {
  const out: Flag[] = [];
  const bs = blocks(view);
  for (const b of bs) {
    const seen = new Set<string>();
    for (const p of b.rows) {
      const c = p.code!;
      if (c.code.length >= 7 || seen.has(c.code)) continue;
      seen.add(c.code);
      const kids = childrenOf(p, b.rows);
      if (kids.length === 0) continue;
      const parents = b.rows.filter((r) => r.code?.code === c.code && r.code.scheme === c.scheme);
      // The same code printed twice in one block (repeated on a continuation page): check each.
      for (const pr of parents) {
        const fl = checkRowSum(ctx, view, pr, kids, RULES.children,
          `${c.raw} 应等于其下级科目之和`, `${c.raw} should equal the sum of its sub-items`);
        out.push(...fl, ...misplaced(view, pr, kids, fl));
      }
    }
    // A unit row (one budget unit inside a department table) = Σ its top-level coded rows.
    if (b.head) {
      const top = topLevel(b.rows);
      if (top.length > 0) out.push(...checkRowSum(ctx, view, b.head, top, RULES.unit, `单位行应等于其各类科目之和`, `unit row should equal the sum of its class rows`));
    }
  }
  return out;
}

function topLevel(rows: SideRow[]): SideRow[] {
  const coded = rows.filter((r) => r.code);
  if (coded.length === 0) return [];
  // Use the majority scheme so a stray economic code in a functional table does not join the sum.
  const fn = coded.filter((r) => r.code!.scheme === "functional").length;
  const scheme = fn * 2 >= coded.length ? "functional" : "economic";
  const same = coded.filter((r) => r.code!.scheme === scheme);
  const min = Math.min(...same.map((r) => r.code!.code.length));
  return same.filter((r) => r.code!.code.length === min);
}

const GRAND = /^(总计|合计|收入总计|支出总计|收入合计|支出合计|人员经费合计|公用经费合计)$/;

function totalRows(view: SideView): SideRow[] {
  return view.rows.filter((r) => !r.code && (GRAND.test(r.text) || (r.row.isTotal && /^(总计|合计)$/.test(r.text))));
}

function totalEqualsClasses(ctx: RuleContext, view: SideView): Flag[] {
  const top = topLevel(view.rows);
  if (top.length === 0) return [];
  const totals = totalRows(view);
  const out: Flag[] = [];
  // Two-sided economic tables (决算 基本支出: 301/303 left, 302/310 right) have one total per side.
  for (const t of totals) {
    out.push(...checkRowSum(ctx, view, t, top, RULES.total, `${t.text} 应等于各类科目之和`, `${t.text} should equal the sum of the class rows`));
  }
  return out;
}

// ---- column identities from the header tree ----

export type ColumnIdentity = { total: Column; parts: Column[] };

function pathKey(p: readonly string[]): string {
  return p.map(norm).join("/");
}

/** Columns whose group value stands for the subtree `prefix` (with trailing measure `suffix`). */
function groupColumns(cols: Column[], prefix: string[], suffix: string[]): Column[] | null {
  const d = prefix.length;
  const under = cols.filter((c) => c.path.length >= d && pathKey(c.path.slice(0, d)) === pathKey(prefix)
    && (suffix.length === 0 || (c.path.length > d && pathKey(c.path.slice(-suffix.length)) === pathKey(suffix))));
  if (under.length === 0) return null;
  if (under.length === 1) return under;
  const self = under.find((c) => c.path.length === d);
  if (self) return [self];
  // A subtree with its own 小计/合计 stands for itself by that column.
  const own = under.find((c) => c.path.length > d && isTotalWord(c.path[d]!));
  if (own) return [own];
  // Otherwise sum its sub-groups recursively.
  const names = [...new Set(under.map((c) => norm(c.path[d]!)))];
  const res: Column[] = [];
  for (const n of names) {
    const sample = under.find((c) => norm(c.path[d]!) === n)!;
    const sub = groupColumns(cols, [...prefix, sample.path[d]!], suffix);
    if (!sub) return null;
    res.push(...sub);
  }
  return res;
}

/** Every "total column = Σ sibling groups" identity the header tree implies. */
export function columnIdentities(columns: Column[]): ColumnIdentity[] {
  const out: ColumnIdentity[] = [];
  const seen = new Set<string>();
  for (const t of columns) {
    for (let d = 0; d < t.path.length; d++) {
      const name = t.path[d]!;
      if (!isTotalWord(name)) continue;
      // "项目支出合计" style leaf at top level, or 合计/小计 under a parent.
      const prefix = t.path.slice(0, d);
      const suffix = t.path.slice(d + 1);
      const siblings = [...new Set(columns
        .filter((c) => c !== t && c.path.length > d && pathKey(c.path.slice(0, d)) === pathKey(prefix) && norm(c.path[d]!) !== norm(name)
          && (suffix.length === 0 || pathKey(c.path.slice(-suffix.length)) === pathKey(suffix)))
        .map((c) => c.path[d]!))];
      if (siblings.length === 0) continue;
      const parts: Column[] = [];
      let ok = true;
      for (const s of siblings) {
        const g = groupColumns(columns, [...prefix, s], suffix);
        if (!g) { ok = false; break; }
        parts.push(...g);
      }
      if (!ok || parts.length === 0) continue;
      const key = `${t.index}:${parts.map((p) => p.index).join(",")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ total: t, parts });
      break;
    }
  }
  return out;
}

function columnSums(ctx: RuleContext, view: SideView): Flag[] {
  const ids = columnIdentities(view.columns);
  const out: Flag[] = [];
  for (const id of ids) {
    for (const r of view.rows) {
      const actual = amountAt(view, r.row, id.total);
      const parts = id.parts.map((c) => amountAt(view, r.row, c));
      if (actual === null && parts.every((p) => p === null)) continue;
      const act: Amount = actual ?? amountOrZero(view, r.row, id.total);
      const ps = parts.map((p, i) => p ?? amountOrZero(view, r.row, id.parts[i]!));
      const cmp = compareSum(ps, act, ctx.tol);
      const names = id.parts.map((c) => leafName(c)).join(" + ");
      const f = compareFlag({
        rule: RULES.columns, where: whereOf(view, r, id.total), cmp,
        expected: ps.reduce((s, a) => s + a.value, 0n), actual: act, unit: view.unit,
        zh: `${leafName(id.total)} 应等于 ${names}`, en: `${leafName(id.total)} should equal ${names}`,
      });
      if (f) out.push(f);
    }
  }
  return out;
}

// ---- summary-table outline (收支总表, 财政拨款收支总表) ----

type OutlineKind = "A" | "B" | "sub" | "U" | "subtotal" | "grand" | "post" | "other";

const A_RE = /^[一二三四五六七八九十]+、/;
const B_RE = /^\(?\d+\)?[.．、)]/;
const SUBTOTAL_RE = /^(本年收入合计|本年支出合计|当年收入小计|当年支出小计|本年收入小计|本年支出小计)$/;
const GRAND_RE = /^(收入总计|支出总计|总计|收入支出总计)$/;

function outline(view: SideView): { r: SideRow; k: OutlineKind }[] {
  const out: { r: SideRow; k: OutlineKind }[] = [];
  let mode: "main" | "afterSub" = "main";
  let inQizhong = false;
  const hasGrand = view.rows.some((r) => GRAND_RE.test(r.text));
  for (const r of view.rows) {
    const t = r.text;
    if (t === "") continue;
    let k: OutlineKind;
    // 收入合计/支出合计 is the grand total unless a 收入总计/总计 follows (then it is the 本年 subtotal).
    if (r.hint === "item") k = "A";
    else if (GRAND_RE.test(t) || (!hasGrand && /^(收入合计|支出合计)$/.test(t))) k = "grand";
    else if (SUBTOTAL_RE.test(t) || /^(收入合计|支出合计)$/.test(t)) { k = "subtotal"; mode = "afterSub"; }
    else if (mode === "afterSub") k = A_RE.test(t) || B_RE.test(t) ? "other" : "post";
    else if (A_RE.test(t) || (r.code && r.code.code.length === 3)) { k = "A"; inQizhong = false; }
    else if (B_RE.test(t)) { k = "B"; inQizhong = false; }
    else if (t.startsWith("其中")) { k = "sub"; inQizhong = true; }
    else k = inQizhong ? "sub" : "U";
    out.push({ r, k });
  }
  return out;
}

function summaryOutline(ctx: RuleContext, view: SideView, siblings: SideView[] = []): { flags: Flag[]; grand: SideRow | undefined } {
  const fallback: Fallback = (target) => {
    for (const s of siblings) {
      const col = s.columns[0];
      const a = col ? amountAt(s, target.row, col) : null;
      if (col && a) return { view: s, col, amount: a };
    }
    return undefined;
  };
  const ol = outline(view);
  const flags: Flag[] = [];
  const As = ol.filter((o) => o.k === "A").map((o) => o.r);
  const sub = ol.find((o) => o.k === "subtotal")?.r;
  const grand = ol.filter((o) => o.k === "grand").map((o) => o.r).pop();
  if (sub && As.length > 0) {
    flags.push(...checkRowSum(ctx, view, sub, As, RULES.outline, `${sub.text} 应等于各收支项目之和`, `${sub.text} should equal the sum of the numbered lines above it`, true, fallback));
  }
  if (grand) {
    if (sub) {
      const post = ol.filter((o) => o.k === "post").map((o) => o.r);
      flags.push(...checkRowSum(ctx, view, grand, [sub, ...post], RULES.outline, `${grand.text} 应等于 ${sub.text} 加结转结余各行`, `${grand.text} should equal ${sub.text} plus the carry-over lines`, true));
    } else if (As.length > 0) {
      flags.push(...checkRowSum(ctx, view, grand, As, RULES.outline, `${grand.text} 应等于各大项之和`, `${grand.text} should equal the sum of the numbered lines`, true, fallback));
    }
  }
  // A-level line = Σ its numbered (B) lines, or Σ its unnumbered child lines.
  for (let i = 0; i < ol.length; i++) {
    const o = ol[i]!;
    if (o.k !== "A" && o.k !== "B") continue;
    const kids: SideRow[] = [];
    const subs: SideRow[] = [];
    const childKind: OutlineKind = o.k === "A" ? (ol.slice(i + 1).find((x) => x.k !== "sub" && x.k !== "U")?.k === "B" ? "B" : "U") : "U";
    for (let j = i + 1; j < ol.length; j++) {
      const x = ol[j]!;
      if (x.k === "A" || x.k === "subtotal" || x.k === "grand" || x.k === "post" || x.k === "other") break;
      if (o.k === "B" && x.k === "B") break;
      if (x.k === childKind) kids.push(x.r);
      if (x.k === "sub" && (o.k === "B" || childKind === "U")) subs.push(x.r);
    }
    const withValues = kids.filter((k) => rowHasValues(view, k.row));
    if (withValues.length > 0 && !(o.k === "A" && o.r.code)) {
      flags.push(...checkRowSum(ctx, view, o.r, kids, RULES.outline, `${o.r.text} 应等于其下各项之和`, `${o.r.text} should equal the sum of its lines`, true));
    }
    // 其中 lines are a partial breakdown: they may not exceed their parent.
    if (subs.length > 0) {
      for (const col of view.columns) {
        const parent = amountAt(view, o.r.row, col);
        const ps = subs.map((s) => amountAt(view, s.row, col)).filter((a): a is Amount => a !== null);
        if (ps.length === 0) continue;
        const p = parent ?? amountOrZero(view, o.r.row, col);
        const cmp = compareSum(ps, p, ctx.tol);
        if (cmp.difference < 0n) {
          const f = compareFlag({ rule: RULES.subItems, where: whereOf(view, o.r, col), cmp, expected: ps.reduce((s, a) => s + a.value, 0n), actual: p, unit: view.unit,
            zh: `${o.r.text} 的“其中”各项之和超过本项`, en: `the 其中 items of ${o.r.text} add up to more than the line itself` });
          if (f) flags.push(f);
        }
      }
    }
  }
  return { flags, grand };
}

const SUMMARY_KINDS = new Set(["income_expenditure_summary", "fiscal_summary"]);

/** 三公 items laid out as rows (seed 表10): 合计 = 出国 + 接待 + 公务用车小计, 小计 = 购置 + 运行. */
function threePublicRows(ctx: RuleContext): Flag[] {
  const t = ctx.index.one("three_public");
  if (!t || t.empty) return [];
  const total = threePublic(ctx, "total");
  const abroad = threePublic(ctx, "abroad");
  const reception = threePublic(ctx, "reception");
  const vehicle = threePublic(ctx, "vehicle");
  const purchase = threePublic(ctx, "purchase");
  const running = threePublic(ctx, "running");
  // Only for the row layout: column layouts are covered by the header-tree identities.
  if (!vehicle?.row || !abroad?.row || vehicle.row.row === abroad.row.row) return [];
  const out: Flag[] = [];
  const check = (target: typeof total, parts: (typeof total)[], zh: string, en: string) => {
    if (!target?.row || parts.some((p) => !p)) return;
    const ps = parts.map((p) => p!.amount);
    const cmp = compareSum(ps, target.amount, ctx.tol);
    const f = compareFlag({ rule: RULES.threePublic, where: whereOf(target.view, target.row, target.column), cmp, expected: ps.reduce((s, a) => s + a.value, 0n), actual: target.amount, unit: target.view.unit, zh, en });
    if (f) out.push(f);
  };
  check(vehicle, [purchase, running], "公务用车购置及运行费应等于购置费与运行费之和", "vehicle purchase and running should equal purchase + running");
  check(total, [abroad, reception, vehicle], "三公经费合计应等于因公出国（境）费、公务接待费、公务用车购置及运行费之和", "三公 total should equal abroad + reception + vehicles");
  return out;
}

/**
 * 政府采购预算表 (Jiangsu): 合计 = Σ 一、货物/二、工程/三、服务; each class = Σ its 专项/经济科目 groups;
 * each group = Σ its items (an item line ends with its 采购组织形式).
 */
function procurementRows(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const t of ctx.index.all("procurement")) {
    const view = ctx.index.side(t);
    if (!view || view.columns.length === 0) continue;
    type K = "total" | "A" | "group" | "item";
    const kinds: { r: SideRow; k: K }[] = [];
    for (const r of view.rows) {
      if (!rowHasValues(view, r.row)) continue;
      const first = norm(r.label[0] ?? "");
      const last = norm(r.label[r.label.length - 1] ?? "");
      const k: K = /^(合计|总计)/.test(first) ? "total" : /^[一二三四五六七八九十]+、/.test(first) ? "A"
        : /(集中采购|自行组织|自行采购|分散采购|委托代理|定点采购|协议供货)$/.test(last) ? "item" : "group";
      kinds.push({ r, k });
    }
    if (!kinds.some((x) => x.k === "item")) continue;
    const span = (i: number, stop: (k: K) => boolean) => {
      const res: { r: SideRow; k: K }[] = [];
      for (let j = i + 1; j < kinds.length && !stop(kinds[j]!.k); j++) res.push(kinds[j]!);
      return res;
    };
    kinds.forEach((x, i) => {
      if (x.k === "group") {
        const items = span(i, (k) => k !== "item").map((y) => y.r);
        if (items.length > 0) out.push(...checkRowSum(ctx, view, x.r, items, RULES.procurement, `${x.r.text} 应等于其下各采购品目之和`, `the group should equal the sum of its items`));
      } else if (x.k === "A") {
        const under = span(i, (k) => k === "A" || k === "total");
        const groups = under.filter((y) => y.k === "group").map((y) => y.r);
        const parts = groups.length > 0 ? groups : under.filter((y) => y.k === "item").map((y) => y.r);
        if (parts.length > 0) out.push(...checkRowSum(ctx, view, x.r, parts, RULES.procurement, `${x.r.text} 应等于其下各项之和`, `the class should equal the sum of its groups`));
      }
    });
    const total = kinds.find((x) => x.k === "total");
    const As = kinds.filter((x) => x.k === "A").map((x) => x.r);
    if (total && As.length > 0) out.push(...checkRowSum(ctx, view, total.r, As, RULES.procurement, "政府采购合计应等于货物、工程、服务之和", "the total should equal goods + works + services"));
  }
  return out;
}

/**
 * Vertical tables with two-level row labels (Jiangsu 收入预算总表: 一般公共预算资金 / 小计, 公共财政拨款…):
 * each group's 小计 = Σ its other lines (其中 lines excluded); the grand total = Σ group totals.
 */
function labelGroups(ctx: RuleContext, view: SideView): Flag[] {
  const rows = view.rows.filter((r) => !r.code);
  if (view.table.kind === "procurement" || rows.filter((r) => r.label.length >= 2).length < 2 || view.rows.some((r) => r.code)) return [];
  const out: Flag[] = [];
  const groups = new Map<string, SideRow[]>();
  const order: string[] = [];
  for (const r of rows) {
    if (r.label.length < 2) continue;
    const g = norm(r.label[0]!);
    if (!groups.has(g)) { groups.set(g, []); order.push(g); }
    groups.get(g)!.push(r);
  }
  const groupTotals: SideRow[] = [];
  for (const g of order) {
    const members = groups.get(g)!;
    const sub = members.find((r) => isTotalWord(r.label[1]!));
    const parts = members.filter((r) => r !== sub && !norm(r.label[1]!).startsWith("其中"));
    if (sub) {
      groupTotals.push(sub);
      if (parts.length > 0) out.push(...checkRowSum(ctx, view, sub, parts, RULES.labelGroups, `${norm(members[0]!.label[0]!)}小计应等于其各项之和`, "the group subtotal should equal its lines", true));
    } else groupTotals.push(...parts);
  }
  const singles = rows.filter((r) => r.label.length === 1 && !isTotalWord(r.text) && !/总计$/.test(r.text) && rowHasValues(view, r.row));
  const grand = rows.find((r) => r.label.length === 1 && /(总计|合计)$/.test(r.text));
  if (grand && groupTotals.length > 0) out.push(...checkRowSum(ctx, view, grand, [...groupTotals, ...singles], RULES.labelGroups, `${grand.text} 应等于各组小计之和`, "the total should equal the sum of the group subtotals", true));
  return out;
}

export function withinTable(ctx: RuleContext): Flag[] {
  const out: Flag[] = [...threePublicRows(ctx), ...procurementRows(ctx)];
  for (const table of ctx.doc.tables) {
    if (table.empty) continue;
    const views = ctx.index.sides(table);
    const grands: { view: SideView; row: SideRow }[] = [];
    for (const view of views) {
      if (view.columns.length === 0) continue;
      out.push(...hierarchy(ctx, view));
      if (!SUMMARY_KINDS.has(table.kind)) out.push(...totalEqualsClasses(ctx, view));
      out.push(...columnSums(ctx, view));
      out.push(...labelGroups(ctx, view));
      if (SUMMARY_KINDS.has(table.kind)) {
        const { flags, grand } = summaryOutline(ctx, view, views.filter((v) => v !== view && v.side === view.side));
        out.push(...flags);
        if (grand) grands.push({ view, row: grand });
      }
    }
    // 收入总计 = 支出总计 (two-sided summaries): compare the left grand total with the right side's first column.
    const left = grands.find((g) => g.view.side === "left");
    const right = grands.find((g) => g.view.side === "right");
    if (left && right) {
      const lc = left.view.columns[0];
      const rc = right.view.columns[0];
      if (lc && rc) {
        const la = amountAt(left.view, left.row.row, lc);
        const ra = amountAt(right.view, right.row.row, rc);
        if (la && ra) {
          const cmp = compareSum([la], ra, ctx.tol);
          const f = compareFlag({ rule: RULES.balance, where: whereOf(right.view, right.row, rc), cmp, expected: la.value, actual: ra, unit: right.view.unit,
            zh: `${right.row.text} 应等于 ${left.row.text}`, en: `total expenditure should equal total income` });
          if (f) out.push(f);
        }
      }
    }
  }
  return out;
}
