// Over the real filings in ../shared/real (skipped when absent): every PDF opens and reads,
// pages have text, ruled producers give rulings, rotated pages come out upright, and no radical
// look-alike survives normalisation.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractPages } from "../../parsers/pdf/index.ts";
import { countRadicals } from "../../parsers/text/normalizeChars.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const realDir = process.env.BUDGETLENS_REAL_DIR ?? path.resolve(repoRoot, "../shared/real");
const files = existsSync(realDir) ? readdirSync(realDir).filter((f) => f.toLowerCase().endsWith(".pdf")).sort() : [];

describe.skipIf(files.length === 0)("real filings", () => {
  it.each(files)("%s", async (file) => {
    const { info, pages } = await extractPages(new Uint8Array(readFileSync(path.join(realDir, file))));
    expect(pages).toHaveLength(info.pageCount);
    // Most pages carry text (cover/blank pages may not).
    expect(pages.filter((p) => p.runs.length > 0).length).toBeGreaterThan(pages.length * 0.8);
    // Every filing has ruled tables somewhere.
    expect(pages.some((p) => p.rulings.length >= 8)).toBe(true);
    for (const p of pages) {
      expect(p.width).toBeGreaterThan(400);
      expect(p.height).toBeGreaterThan(400);
      for (const r of p.runs) {
        expect(countRadicals(r.text)).toBe(0);
        expect(r.x1).toBeGreaterThanOrEqual(r.x0);
        expect(r.y1).toBeGreaterThan(r.y0);
      }
      for (const g of p.rulings) expect(g.to).toBeGreaterThan(g.from);
      // Upright: horizontal CJK lines (≥ 4 ideographs) are wider than tall on every page,
      // rotated or not.
      const lines = p.runs.filter((r) => (r.text.match(/\p{Script=Han}/gu)?.length ?? 0) >= 4);
      if (lines.length >= 3) {
        const upright = lines.filter((r) => r.x1 - r.x0 > r.y1 - r.y0).length;
        expect(upright / lines.length, `page ${p.pageNumber} rot ${p.rotation}`).toBeGreaterThan(0.9);
      }
    }
  });
});
