// Hostile inputs through parseDocument, in this process (the cases that are quick and safe today):
// each must end with its exact error code — or a document — within its time bound.
// The slow / memory-hungry cases run in child processes (isolated.test.ts).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_CASES, HOSTILE_PDF_DIR, type HostileCase } from "../../fixtures/hostile/cases.ts";
import { writeBigCase } from "../../fixtures/hostile/generate.ts";
import { parseDocument } from "../../parsers/index.ts";
import { loadPdfjs } from "../../parsers/pdf/pdfjsRuntime.ts";

const HEAVY = process.env.BUDGETLENS_HEAVY === "1";
const bigDir = mkdtempSync(path.join(tmpdir(), "budgetlens-hostile-"));

function fileOf(c: HostileCase): string {
  if (!c.file.startsWith("big:")) return path.join(HOSTILE_PDF_DIR, c.file);
  return writeBigCase(bigDir, c.file === "big:thousandPages" ? "thousandPages" : "huge");
}

async function outcome(c: HostileCase): Promise<{ result: string; ms: number; tables?: number; warnings?: number }> {
  const bytes = new Uint8Array(readFileSync(fileOf(c)));
  const t0 = performance.now();
  try {
    const doc = await parseDocument(bytes, { fileName: path.basename(c.file), limits: c.limits });
    return { result: doc.warnings.length > 0 ? "partial" : "ok", ms: performance.now() - t0, tables: doc.tables.length, warnings: doc.warnings.length };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { result: typeof code === "string" ? code : `uncoded ${(e as Error).name}: ${(e as Error).message}`, ms: performance.now() - t0 };
  }
}

describe("hostile inputs: parseDocument ends with the exact code in bounded time", () => {
  beforeAll(async () => {
    await loadPdfjs(); // the module load is not any document's cost
  }, 120_000);
  afterAll(() => rmSync(bigDir, { recursive: true, force: true }));

  for (const c of HOSTILE_CASES.filter((x) => !x.isolate)) {
    it.skipIf(c.heavy && !HEAVY)(`${c.name}: ${c.what} → ${c.expect[0]} within ${c.withinMs / 1000} s`, async () => {
      const o = await outcome(c);
      expect(o.result).toBe(c.expect[0]);
      expect(o.ms).toBeLessThan(c.withinMs);
      if (o.result === "ok") expect(o.tables).toBeGreaterThanOrEqual(10);
    }, c.withinMs + 30_000);
  }
});
