// checkDocument: DisclosureDocument (+ last year's) → flags, every rule family in turn.
import type { DisclosureDocument } from "../parsers/model.ts";
import { ruleContext, type Rule } from "./context.ts";
import type { Flag } from "./flag.ts";
import { acrossYears } from "./rules/acrossYears.ts";
import { completeness } from "./rules/completeness.ts";
import { crossTable } from "./rules/crossTable.ts";
import { headcount } from "./rules/headcount.ts";
import { narrative } from "./rules/narrative.ts";
import { withinTable } from "./rules/withinTable.ts";
import type { ToleranceSettings } from "./tolerance.ts";

export type { ToleranceSettings } from "./tolerance.ts";

export type CheckOptions = {
  previous?: DisclosureDocument;
  tolerance?: Partial<ToleranceSettings>;
};

export const RULE_FAMILIES: Record<string, Rule> = { withinTable, crossTable, narrative, completeness, headcount, acrossYears };

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function checkDocument(doc: DisclosureDocument, opts?: CheckOptions): Flag[] {
  const ctx = ruleContext(doc, opts);
  const flags: Flag[] = [];
  for (const [family, rule] of Object.entries(RULE_FAMILIES)) {
    try {
      flags.push(...rule(ctx));
    } catch (e) {
      // One family failing on an odd document must not hide the others' findings.
      flags.push({ severity: "warning", rule: "internal.rule_failed", message: `规则族 ${family} 运行失败 / rule family ${family} failed: ${(e as Error).message}` });
    }
  }
  const seen = new Set<string>();
  const unique = flags.filter((f) => {
    const key = JSON.stringify([f.rule, f.table, f.row, f.column, f.page, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.page ?? 0) - (b.page ?? 0));
}
