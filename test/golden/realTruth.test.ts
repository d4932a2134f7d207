// Hand-checked truth for the hardest tables of real filings (four producers: Excel 2010, Word 2010,
// WPS 表格, Word 2007). The PDFs are read from ../shared/real and never committed: skipped without it.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../parsers/index.ts";
import { toCellRecords } from "../../parsers/cells.ts";
import type { CellRecord } from "../../parsers/model.ts";
import { scoreCells } from "../../fixtures/score.ts";

const realDir = resolve(process.env.BUDGETLENS_REAL_DIR ?? join(import.meta.dirname, "../../../shared/real"));
const truthDir = join(import.meta.dirname, "../realTruth");
const truths = readdirSync(truthDir).filter((f) => f.endsWith(".json"));

describe.skipIf(!existsSync(realDir))("hand-checked real tables", () => {
  for (const f of truths) {
    const truth = JSON.parse(readFileSync(join(truthDir, f), "utf8")) as { file: string; tables: string[]; cells: CellRecord[] };
    it(`${truth.file}: ${truth.tables.join(", ")} F1 ≥ 0.99`, async () => {
      const doc = await parseDocument(new Uint8Array(readFileSync(join(realDir, truth.file))), { fileName: truth.file });
      const predicted = toCellRecords(doc).filter((r) => truth.tables.includes(r.table));
      const score = scoreCells(predicted, truth.cells);
      expect(score.f1, JSON.stringify(score.mismatches.slice(0, 5))).toBeGreaterThanOrEqual(0.99);
    });
  }
});
