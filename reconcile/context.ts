// What every rule receives: the document, its table index, the narrative facts, the tolerance
// settings and (optionally) last year's filing. Built once per check.
import type { DisclosureDocument } from "../parsers/model.ts";
import { extractNarrativeFacts, type NarrativeFacts } from "../parsers/narrative/index.ts";
import type { Flag } from "./flag.ts";
import { TableIndex } from "./tableIndex.ts";
import { toleranceSettings, type ToleranceSettings } from "./tolerance.ts";

export type DocContext = {
  doc: DisclosureDocument;
  index: TableIndex;
  facts: NarrativeFacts;
};

export type RuleContext = DocContext & {
  tol: ToleranceSettings;
  previous?: DocContext;
};

export type Rule = (ctx: RuleContext) => Flag[];

export function docContext(doc: DisclosureDocument): DocContext {
  return { doc, index: new TableIndex(doc), facts: extractNarrativeFacts(doc.narrative) };
}

export function ruleContext(doc: DisclosureDocument, opts?: { previous?: DisclosureDocument; tolerance?: Partial<ToleranceSettings> }): RuleContext {
  const base = docContext(doc);
  return {
    ...base,
    tol: toleranceSettings(opts?.tolerance),
    ...(opts?.previous ? { previous: docContext(opts.previous) } : {}),
  };
}
