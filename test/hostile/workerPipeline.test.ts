// The hard bound in the pipeline: the real ingest handler (parse in a worker thread, its default)
// gets one SQS batch with a bad file first and a good disclosure after it. The bad file ends FAILED
// (page_timeout for a page that spins pdfjs, memory_limit for a memory hog) with a document_failed
// alert, the good one after it is COMMITTED, nothing is retried or dead-lettered: the process
// survived. One run per bound, each with the limit that case is about (the stall input also grows
// memory and the hog also takes time, so one pair of limits cannot tell them apart reliably).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_FIXTURE } from "../../fixtures/hostile/generate.ts";
import { PARSE_WORKER_SETTINGS } from "../../functions/shared/parseInWorker.ts";
import { runPipeline, type PipelineReport } from "./pipelineRun.ts";
import { writeStallCase, type StallCase } from "./stallFixtures.ts";
import type { PdfLimits } from "../../parsers/pdf/limits.ts";

const dir = mkdtempSync(path.join(tmpdir(), "budgetlens-worker-pipe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNS: { stallCase: StallCase; code: string; limits: Partial<PdfLimits>; good: string }[] = [
  { stallCase: "stall-path", code: "page_timeout", limits: { pageTimeoutMs: 3_000 }, good: BASE_FIXTURE },
  { stallCase: "memory-string", code: "memory_limit", limits: { maxMemoryMb: 300 }, good: path.join(path.dirname(BASE_FIXTURE), "civil-2025.pdf") },
];

for (const run of RUNS) {
  describe(`${run.stallCase} then a good disclosure in one batch (limits ${JSON.stringify(run.limits)})`, () => {
    let report: PipelineReport;
    beforeAll(async () => {
      const files = [
        { name: run.stallCase, path: writeStallCase(dir, run.stallCase) },
        { name: "good", path: run.good },
      ];
      report = await runPipeline(files, { idleTimeoutMs: 150_000, uploadFirst: true, limits: run.limits });
    }, 200_000);

    it("the queue drains, nothing retried or dead-lettered", () => {
      expect(report.idle).toBe(true);
      expect(report.dlqDepth).toBe(0);
      for (const r of report.rows) expect(r.handlerErrors, r.name).toEqual([]);
    });

    it(`the bad file → FAILED ${run.code}, alerted`, () => {
      const row = report.rows.find((r) => r.name === run.stallCase)!;
      expect(row).toMatchObject({ status: "FAILED", failureCode: run.code, alerted: true, alertKind: "document_failed" });
      if (run.limits.pageTimeoutMs) expect(row.parseMs).toBeLessThan(run.limits.pageTimeoutMs + PARSE_WORKER_SETTINGS.heartbeatGraceMs + 5_000);
      if (run.limits.maxMemoryMb) expect(row.failureMessage).toContain(`${run.limits.maxMemoryMb} MB`);
    });

    it("the good disclosure after it is COMMITTED", () => {
      expect(report.rows.find((r) => r.name === "good")!.status).toBe("COMMITTED");
    });
  });
}
