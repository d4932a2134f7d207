// Across years: with last year's filing of the same department, the stated "比上年" changes and the
// headcount 增加/减少 must match the difference between the two filings' own figures.
// "The same department" is decided by departmentAliases.ts (renamed departments match, e.g.
// 中国共产党江苏省委员会办公厅 2017 / 中共江苏省委办公厅 2019); a previous filing of another department
// is not compared at all.
import type { RuleContext } from "../context.ts";
import type { Flag } from "../flag.ts";
import { compareFlag, plainFlag } from "../flagging.ts";
import { parseAmount } from "../money.ts";
import { compareSum } from "../tolerance.ts";
import { resolveFact } from "./narrative.ts";
import { sameDepartment } from "../departmentAliases.ts";

export const RULES = { change: "years.change", headcount: "years.headcount" } as const;

export function acrossYears(ctx: RuleContext): Flag[] {
  const prev = ctx.previous;
  if (!prev || !isSameDepartment(ctx, prev)) return [];
  const out: Flag[] = [];
  for (const f of ctx.facts.amounts) {
    const c = f.change;
    if (!c || c.amount === undefined && c.direction !== "flat") continue;
    if (!/上年|\d{4}年/.test(c.base) && c.base !== "") continue;
    if (/执行数/.test(c.base)) continue;
    const now = resolveFact(ctx, f);
    const before = resolveFact(prev, f);
    if (!now || !before) continue;
    const cur = parseAmount(f.amount, f.unit)!;
    const stated = c.direction === "flat" ? 0n : (c.direction === "increase" ? 1n : -1n) * parseAmount(c.amount!, f.unit)!.value;
    // Work in the narrative's unit: stated change vs this year's stated amount − last year's table figure.
    const expected = cur.value - before.amount.value;
    const statedAmt = { value: stated, halfUlp: c.amount ? parseAmount(c.amount, f.unit)!.halfUlp : 0n, text: c.amount ?? "0", unit: f.unit };
    const cmp = compareSum([{ ...before.amount, value: expected, halfUlp: before.amount.halfUlp + cur.halfUlp }], statedAmt, ctx.tol);
    const flag = compareFlag({ rule: RULES.change, where: { page: f.page }, cmp, expected, actual: stated, unit: f.unit,
      zh: `说明称“${f.subject}比上年${c.direction === "flat" ? "持平" : `${c.direction === "increase" ? "增加" : "减少"}${c.amount}`}”，但上年文件（${before.view.table.number}）为${before.amount.text}`,
      en: `stated year-on-year change does not match last year's filing` });
    if (flag) out.push(flag);
  }
  const hNow = ctx.facts.headcount[0];
  const hPrev = prev.facts.headcount[0];
  if (hNow && hPrev) {
    const pairs: [string, { count: number; change?: number } | undefined, { count: number } | undefined][] = [
      ["在职", hNow.inService, hPrev.inService], ["退休", hNow.retired, hPrev.retired], ["离休", hNow.retiredCadre, hPrev.retiredCadre],
    ];
    for (const [name, now, before] of pairs) {
      if (!now || !before || now.change === undefined) continue;
      const real = now.count - before.count;
      if (real !== now.change) {
        out.push(plainFlag("error", RULES.headcount, { page: hNow.page },
          `${name}${now.count}人，称比上年${now.change >= 0 ? "增加" : "减少"}${Math.abs(now.change)}人，但上年文件为${before.count}人`,
          `${name} change stated ${now.change}, but last year's filing had ${before.count} (change ${real})`,
          { expected: String(real), actual: String(now.change), difference: String(now.change - real), unit: "人" }));
      }
    }
  }
  return out;
}

/** Both filings name the same department (when either name is unknown, the caller's pairing stands). */
function isSameDepartment(ctx: RuleContext, prev: NonNullable<RuleContext["previous"]>): boolean {
  const a = ctx.doc.meta.department;
  const b = prev.doc.meta.department;
  return a === undefined || b === undefined || sameDepartment(a, b);
}
