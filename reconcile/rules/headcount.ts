// Headcount (机构设置及人员情况): 实有 = 在职 + 退休 + 离休, 在职 ≤ 编制, a retirement moves a
// person from 在职 to 退休, and the headcount change goes the same way as 人员经费 / 基本支出.
import type { RuleContext } from "../context.ts";
import type { Flag } from "../flag.ts";
import { plainFlag } from "../flagging.ts";

export const RULES = {
  sum: "headcount.sum",
  establishment: "headcount.establishment",
  retirement: "headcount.retirement",
  costDirection: "headcount.cost_direction",
} as const;

export function headcount(ctx: RuleContext): Flag[] {
  const out: Flag[] = [];
  for (const h of ctx.facts.headcount) {
    const where = { page: h.page };
    const parts = [h.inService, h.retired, h.retiredCadre].filter((p) => p !== undefined);
    if (h.actual !== undefined && h.inService) {
      const sum = parts.reduce((s, p) => s + p!.count, 0);
      // Some filings count only serving staff as 实有; that convention is not an error.
      if (sum !== h.actual && h.inService.count !== h.actual) {
        out.push(plainFlag("error", RULES.sum, where, `实有人数${h.actual}人，但在职、退休、离休合计${sum}人`, `actual headcount ${h.actual} but 在职 + 退休 + 离休 = ${sum}`,
          { expected: String(sum), actual: String(h.actual), difference: String(h.actual - sum), unit: "人" }));
      }
    }
    if (h.establishment !== undefined && h.inService && h.inService.count > h.establishment) {
      out.push(plainFlag("warning", RULES.establishment, where, `在职${h.inService.count}人超过编制数${h.establishment}`, `serving staff ${h.inService.count} exceed the establishment ${h.establishment}`,
        { expected: `≤${h.establishment}`, actual: String(h.inService.count), unit: "人" }));
    }
    const leaving = h.inService?.change ?? 0;
    const retiredChange = h.retired?.change;
    const mentionsRetirement = ctx.facts.amounts.some((f) => /减少[（(]?退休/.test(f.sentence)) || /退休/.test(h.sentence) && leaving < 0;
    if (leaving < 0 && retiredChange !== undefined && retiredChange <= 0 && mentionsRetirement && /退休/.test(ctx.facts.amounts.map((f) => f.sentence).join("") + h.sentence)) {
      if (ctx.facts.amounts.some((f) => /[（(]退休[)）]|退休\d*名|人员退休/.test(f.sentence))) {
        out.push(plainFlag("warning", RULES.retirement, where,
          `在职减少${-leaving}人且说明称人员退休，但退休人数${retiredChange === 0 ? "未变" : `减少${-retiredChange}人`}`,
          `serving staff fell by ${-leaving} and the text mentions retirement, but 退休 did not rise (${retiredChange})`,
          { actual: String(retiredChange), unit: "人" }));
      }
    }
    // Headcount vs personnel cost direction.
    if (h.inService?.change !== undefined && h.inService.change !== 0) {
      const cost = ctx.facts.amounts.find((f) => /^(人员经费|基本支出)$/.test(f.subject) && f.change && f.change.direction !== "flat");
      if (cost?.change) {
        const staffUp = h.inService.change > 0;
        const costUp = cost.change.direction === "increase";
        if (staffUp !== costUp) {
          out.push(plainFlag("info", RULES.costDirection, where,
            `在职人数${staffUp ? "增加" : "减少"}，而${cost.subject}${costUp ? "增加" : "减少"}（第${cost.page}页），请核对原因`,
            `staff ${staffUp ? "rose" : "fell"} while ${cost.subject} ${costUp ? "rose" : "fell"}; check the stated reason`));
        }
      }
    }
  }
  return out;
}
