// Layout work must grow about linearly with the runs on a page: a page's time limit
// (PdfLimits.pageTimeoutMs) covers extraction only, so a super-linear layout step is an unbounded
// stall on a page with many runs (runs-30k.pdf: ~45 s of layout when dropDuplicateRuns compared
// every run with every kept run). Pure, in memory, no pdfjs, and no clock: the work is measured by
// counting every read of a text run's fields (x0, y0, x1, y1, text, …) through accessor
// properties, which is deterministic. Sorting costs n·log n reads; comparing each run with all the
// others costs n² reads and shows up as a 64× jump for 8× the runs.
import { describe, expect, it } from "vitest";
import { layoutPage } from "../../parsers/layout/layoutPage.ts";
import type { PageModel, TextRun } from "../../parsers/pdf/pageModel.ts";

/** A run whose field reads are counted in `counter.reads`. */
function countedRun(fields: TextRun, counter: { reads: number }): TextRun {
  const run = {} as TextRun;
  for (const key of Object.keys(fields) as (keyof TextRun)[]) {
    const value = fields[key];
    Object.defineProperty(run, key, {
      enumerable: true,
      get() {
        counter.reads++;
        return value;
      },
    });
  }
  return run;
}

/** `n` distinct amounts on a grid, 250 per line, like manyRuns() in fixtures/hostile/generate.ts. */
function page(n: number, counter: { reads: number }): PageModel {
  const runs: TextRun[] = [];
  for (let i = 0; i < n; i++) {
    const x0 = 10 + (i % 250) * 16;
    const y0 = 10 + Math.floor(i / 250) * 9.5;
    runs.push(countedRun({ text: String((i % 997) + 0.25), x0, x1: x0 + 12, y0, y1: y0 + 3, fontSize: 3, fontName: "Helvetica" }, counter));
  }
  return { pageNumber: 1, width: 4100, height: 4100, rotation: 0, runs, rulings: [] };
}

function readsToLayout(n: number): number {
  const counter = { reads: 0 };
  const p = page(n, counter);
  layoutPage(p);
  return counter.reads;
}

describe("layoutPage scales with the number of runs", () => {
  it("8× the runs cost at most 16× the reads of run fields (n·log n ≈ 10×; quadratic would be 64×)", () => {
    const small = readsToLayout(3_000);
    const big = readsToLayout(24_000);
    // The layout does look at the runs: at least one read per run.
    expect(small).toBeGreaterThanOrEqual(3_000);
    expect(big / small).toBeLessThan(16);
  }, 120_000);

  it("the read counter sees a quadratic pass: a pairwise comparison of the runs is 64× for 8× the runs", () => {
    // The measuring stick itself: the same counted runs through an all-pairs duplicate check.
    const pairwise = (n: number) => {
      const counter = { reads: 0 };
      const runs = page(n, counter).runs;
      const kept: TextRun[] = [];
      for (const r of runs) if (!kept.some((k) => k.text === r.text && Math.abs(k.x0 - r.x0) < 1 && Math.abs(k.y0 - r.y0) < 1)) kept.push(r);
      return counter.reads;
    };
    expect(pairwise(2_400) / pairwise(300)).toBeGreaterThan(40);
  }, 120_000);
});
