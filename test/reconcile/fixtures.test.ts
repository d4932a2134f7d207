// Every fixture PDF parsed and checked: each injected inconsistency is flagged (error or warning)
// on the right table and row; clean fixtures give no errors. Skips when fixtures/pdf is absent.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../parsers/index.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import { checkDocument, type Flag } from "../../reconcile/index.ts";

type Injected = { rule: string; severity: string; table: string | null; row: string[] | null; expected?: string; actual?: string };
type Entry = { file: string; producer: string; injected: Injected[] };

const root = join(import.meta.dirname, "../../fixtures");
const have = existsSync(join(root, "index.json")) && existsSync(join(root, "pdf"));
const entries: Entry[] = have ? (JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as Entry[]) : [];

/** Fixture truth rule names → this catalogue's rule ids (several may legitimately fire). */
const RULE_MAP: Record<string, string[]> = {
  "sum.children": ["sum.children", "cross.class"],
  "sum.total": ["sum.total"],
  "cross.total": ["cross.total"],
  "cross.basic_economic": ["cross.basic"],
  "sum.vehicle": ["sum.three_public", "sum.columns"],
  "narrative.amount": ["narrative.amount"],
  "narrative.share": ["narrative.share"],
  "narrative.change": ["narrative.change"],
  "narrative.comparison": ["narrative.words", "narrative.final_vs_budget"],
  "headcount.actual_sum": ["headcount.sum"],
  "headcount.active_le_authorized": ["headcount.establishment"],
  "table.missing": ["completeness.missing_table", "completeness.toc"],
  "table.empty_without_note": ["completeness.empty_without_note"],
  "sum.misplaced_column": ["sum.misplaced_column"],
};

const key = (s: string) => s.replace(/[\s()（）]/g, "");
function matches(f: Flag, inj: Injected): boolean {
  if (f.severity === "info") return false;
  if (!(RULE_MAP[inj.rule] ?? [inj.rule]).includes(f.rule)) return false;
  if (inj.table && f.table !== inj.table && !(inj.rule === "table.missing")) return false;
  if (inj.table && inj.row && inj.row.length > 0) return key((f.row ?? []).join("")).startsWith(key(inj.row[0]!));
  return true;
}

const cache = new Map<string, DisclosureDocument>();
async function load(file: string): Promise<DisclosureDocument> {
  let d = cache.get(file);
  if (!d) {
    d = await parseDocument(new Uint8Array(readFileSync(join(root, file))), { fileName: file });
    cache.set(file, d);
  }
  return d;
}

describe.skipIf(!have)("reconciliation on the fixture corpus", () => {
  for (const e of entries) {
    const real = e.injected.filter((i) => i.rule !== "rounding");
    if (real.length === 0) {
      it(`${e.file}: clean → no errors`, async () => {
        const flags = checkDocument(await load(e.file));
        expect(flags.filter((f) => f.severity === "error").map((f) => `${f.rule} ${f.table} ${f.row} ${f.message}`)).toEqual([]);
      });
      continue;
    }
    for (const inj of real) {
      it(`${e.file}: injected ${inj.rule} on ${inj.table ?? "narrative"} ${inj.row?.join(" ") ?? ""} is flagged`, async () => {
        const flags = checkDocument(await load(e.file));
        const hit = flags.find((f) => matches(f, inj));
        expect(hit, flags.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.rule} ${f.table} ${f.row}`).join("\n")).toBeDefined();
      });
    }
  }

  it("across years: health-2025 against health-2024 and urban-2025 against urban-2024", async () => {
    for (const [now, prev] of [["pdf/health-2025.pdf", "pdf/health-2024.pdf"], ["pdf/urban-2025.pdf", "pdf/urban-2024.pdf"]] as const) {
      if (!existsSync(join(root, now)) || !existsSync(join(root, prev))) continue;
      const flags = checkDocument(await load(now), { previous: await load(prev) });
      const yearly = flags.filter((f) => f.rule.startsWith("years.") && f.severity === "error");
      expect(yearly.map((f) => f.message)).toEqual([]);
    }
  });
});
