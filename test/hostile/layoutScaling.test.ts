// Layout time must grow about linearly with the runs on a page: a page's time limit
// (PdfLimits.pageTimeoutMs) covers extraction only, so a super-linear layout step is an unbounded
// stall on a page with many runs (runs-30k.pdf: ~45 s of layout). Pure, in memory, no pdfjs.
import { describe, expect, it } from "vitest";
import { layoutPage } from "../../parsers/layout/layoutPage.ts";
import type { PageModel, TextRun } from "../../parsers/pdf/pageModel.ts";

/** `n` distinct amounts on a grid, 250 per line, like manyRuns() in fixtures/hostile/generate.ts. */
function page(n: number): PageModel {
  const runs: TextRun[] = [];
  for (let i = 0; i < n; i++) {
    const x0 = 10 + (i % 250) * 16;
    const y0 = 10 + Math.floor(i / 250) * 9.5;
    runs.push({ text: String((i % 997) + 0.25), x0, x1: x0 + 12, y0, y1: y0 + 3, fontSize: 3, fontName: "Helvetica" });
  }
  return { pageNumber: 1, width: 4100, height: 4100, rotation: 0, runs, rulings: [] };
}

function timeLayout(n: number): number {
  const p = page(n);
  const t0 = performance.now();
  layoutPage(p);
  return performance.now() - t0;
}

describe("layoutPage scales with the number of runs", () => {
  it("24,000 runs lay out within 3 s and within 16× the time of 3,000 runs (8× the runs; quadratic would be 64×)", () => {
    timeLayout(500); // warm-up (JIT)
    const small = timeLayout(3_000);
    const big = timeLayout(24_000);
    expect(big).toBeLessThan(3_000);
    expect(big / Math.max(small, 100)).toBeLessThan(16);
  }, 120_000);
});
