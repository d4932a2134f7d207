// Hostile inputs through the embedded pipeline (real ingest handler, local S3/SQS/DynamoDB/SNS), in
// the same queue as a good disclosure: each bad file ends as a stored FAILED record with its reason
// and a document_failed alert; the good one is COMMITTED; nothing is retried into the DLQ.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_CASES, HOSTILE_PDF_DIR } from "../../fixtures/hostile/cases.ts";
import { BASE_FIXTURE, writeBigCase } from "../../fixtures/hostile/generate.ts";
import { runPipeline, type PipelineReport } from "./pipelineRun.ts";

/** Quick failures only: the slow cases are covered per process in isolated.test.ts and by scripts/hostile.ts. */
const CASES = ["empty", "random", "random-after-header", "truncated", "encrypted-user", "scanned", "grid-no-text", "not-budget", "deep-nesting", "cyclic-refs", "bomb-image", "thousand-pages"];

describe("hostile inputs in the pipeline: FAILED with a reason and an alert, the good file still stored", () => {
  const bigDir = mkdtempSync(path.join(tmpdir(), "budgetlens-hostile-pipe-"));
  let report: PipelineReport;

  beforeAll(async () => {
    const files = CASES.map((name) => {
      const c = HOSTILE_CASES.find((x) => x.name === name)!;
      return { name, path: c.file.startsWith("big:") ? writeBigCase(bigDir, "thousandPages") : path.join(HOSTILE_PDF_DIR, c.file) };
    });
    // The good disclosure goes in the middle of the batch.
    files.splice(3, 0, { name: "good", path: BASE_FIXTURE });
    report = await runPipeline(files, { idleTimeoutMs: 100_000 });
  }, 120_000);
  afterAll(() => rmSync(bigDir, { recursive: true, force: true }));

  it("the queue drains with nothing dead-lettered", () => {
    expect(report.idle).toBe(true);
    expect(report.dlqDepth).toBe(0);
  });

  it("the good disclosure in the same batch is COMMITTED", () => {
    const good = report.rows.find((r) => r.name === "good")!;
    expect(good.status).toBe("COMMITTED");
  });

  for (const name of CASES) {
    it(`${name} → FAILED ${HOSTILE_CASES.find((x) => x.name === name)!.expect[0]}, alerted`, () => {
      const c = HOSTILE_CASES.find((x) => x.name === name)!;
      const row = report.rows.find((r) => r.name === name)!;
      expect(row.status).toBe("FAILED");
      expect(row.failureCode).toBe(c.expect[0]);
      expect(row.failureMessage).toBeTruthy();
      expect(row.alerted).toBe(true);
      expect(row.alertKind).toBe("document_failed");
      expect(row.handlerErrors).toEqual([]);
    });
  }
});
