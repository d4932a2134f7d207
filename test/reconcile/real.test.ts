// Real filings (/work/shared/real, never copied into the repo): reconciliation runs on every file
// without failing a rule family, and the inconsistencies reviewed by hand in those filings are
// found on the right table/row. Skips when the folder is absent.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../parsers/index.ts";
import { checkDocument, type Flag } from "../../reconcile/index.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const realDir = process.env.BUDGETLENS_REAL_DIR ?? path.resolve(repoRoot, "../shared/real");
const have = existsSync(realDir);

async function check(file: string): Promise<Flag[]> {
  const bytes = new Uint8Array(readFileSync(path.join(realDir, file)));
  return checkDocument(await parseDocument(bytes, { fileName: file }));
}

describe.skipIf(!have)("reconciliation on real filings", () => {
  it("every rule family runs on every file", async () => {
    for (const file of readdirSync(realDir).filter((f) => f.endsWith(".pdf"))) {
      const flags = await check(file);
      expect(flags.filter((f) => f.rule === "internal.rule_failed").map((f) => `${file}: ${f.message}`)).toEqual([]);
    }
  }, 180_000);

  it("司法局 2026: 住房公积金 stated 201.50 万元 where 表5 prints 2,087,959 元, and two wrong percentages", async () => {
    const flags = await check("shanghai-putuo-2026-dept_budget.pdf");
    const amount = flags.find((f) => f.rule === "narrative.amount" && f.severity === "error" && (f.row ?? []).join("").includes("221 02 01"));
    expect(amount?.actual).toBe("201.50");
    expect(amount?.expected).toBe("208.7959");
    // 43269.3 → 3845.49 is not +17.62%; 77.99 → 91.97 is +17.93%, not +17.66%.
    expect(flags.filter((f) => f.rule === "narrative.change" && f.severity === "error").map((f) => f.expected)).toEqual(expect.arrayContaining(["-91.11", "17.93"]));
  }, 60_000);

  it("规划局 2024 决算: 基本支出 5377.64 / 人员经费 4896.98 in the text vs 5364.75 / 4884.09 in the table", async () => {
    const flags = await check("上海市普陀区规划和自然资源局_2024_年度部门决算.pdf");
    const got = flags.filter((f) => f.rule === "narrative.amount" && f.severity === "error").map((f) => [f.expected, f.actual]);
    expect(got).toEqual(expect.arrayContaining([["5364.75", "5377.64"], ["4884.09", "4896.98"]]));
  }, 60_000);
});
