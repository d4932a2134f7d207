// The worker-thread runner (functions/shared/parseInWorker.ts) is the hard bound on one parse: a
// page that keeps pdfjs busy synchronously is stopped after pageTimeoutMs + grace, a parse that
// eats memory is stopped at maxMemoryMb, the calling thread stays responsive throughout, and the
// next document parses. The inputs are real PDFs (test/hostile/stallFixtures.ts); the certain hard
// kill of a thread that never yields is shown with a test-only worker entry (spinWorker.ts).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_FIXTURE } from "../../fixtures/hostile/generate.ts";
import { PARSE_WORKER_SETTINGS, ParseWorkerPool } from "../../functions/shared/parseInWorker.ts";
import { parseDocument } from "../../parsers/index.ts";
import { PdfError } from "../../parsers/pdf/errors.ts";
import { pathToFileURL } from "node:url";
import { cachedLocalBundle } from "../../scripts/esbuildNode.ts";
import { writeStallCase } from "./stallFixtures.ts";

const dir = mkdtempSync(path.join(tmpdir(), "budgetlens-worker-"));
const stall = writeStallCase(dir, "stall-path");
const hog = writeStallCase(dir, "memory-string");
const read = (f: string) => new Uint8Array(readFileSync(f));
const PAGE_TIMEOUT_MS = 1_500;
const KILL_WINDOW_MS = PAGE_TIMEOUT_MS + PARSE_WORKER_SETTINGS.heartbeatGraceMs;
// No upper bound on how long a kill takes is asserted (a loaded machine only makes timers late):
// the lower bounds show nothing is stopped early; that the watchdog, and not the input running out,
// stopped a parse is shown by `lastRun.killed` on an input that never ends by itself (spinWorker),
// and a watchdog that never fires shows as the test's own timeout.

/** Runs `f` and counts how often a 100 ms timer of this thread fired meanwhile. */
async function timed<T>(f: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number; ticks: number }> {
  let ticks = 0;
  const iv = setInterval(() => ticks++, 100);
  const t0 = performance.now();
  try {
    return { value: await f(), ms: performance.now() - t0, ticks };
  } catch (error) {
    return { error, ms: performance.now() - t0, ticks };
  } finally {
    clearInterval(iv);
  }
}

describe("parse in a worker thread", () => {
  const pool = new ParseWorkerPool();
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeAll(async () => {
    // Cold start (pdfjs load) outside the measured runs.
    await pool.parse(read(BASE_FIXTURE), { fileName: "warm.pdf" });
  }, 120_000);

  it("a good document parses the same as in-process, page progress forwarded, the bytes moved (not copied)", async () => {
    const bytes = read(BASE_FIXTURE);
    const pages: number[] = [];
    const doc = await pool.parse(bytes, { fileName: "good.pdf", onPage: (n) => pages.push(n) });
    expect(bytes.length).toBe(0); // transferred to the worker
    expect(pool.lastRun?.coldStart).toBe(false); // the warm worker was reused
    const inProcess = await parseDocument(read(BASE_FIXTURE), { fileName: "good.pdf" });
    expect(doc).toEqual(inProcess);
    expect(pages).toEqual(Array.from({ length: doc.source.pageCount }, (_, i) => i + 1));
  });

  it("a page that keeps pdfjs busy (real input) is stopped within pageTimeoutMs + grace, the caller stays responsive, the next document parses", async () => {
    const r = await timed(() => pool.parse(read(stall), { fileName: "stall.pdf", limits: { pageTimeoutMs: PAGE_TIMEOUT_MS } }));
    expect(r.error).toBeInstanceOf(PdfError);
    expect(r.error).toMatchObject({ code: "page_timeout", page: 1 });
    // Killed by the watchdog, or — when pdfjs happened to yield after pageTimeoutMs (a font load) —
    // failed by the parser's own page timer inside the worker; either way within the window.
    expect([undefined, "timeout"]).toContain(pool.lastRun?.killed);
    expect(r.ms).toBeGreaterThanOrEqual(PAGE_TIMEOUT_MS - 50);
    expect(r.ticks).toBeGreaterThan(r.ms / 100 / 2);

    const next = await pool.parse(read(BASE_FIXTURE), { fileName: "next.pdf" });
    expect(next.tables.length).toBeGreaterThan(5);
    expect(pool.lastRun?.coldStart).toBe(true); // never reuse a killed worker
  }, 120_000);

  it("a worker that never yields (test-only entry spinning in a sync loop) is killed at pageTimeoutMs + grace after its last page", async () => {
    const spin = new ParseWorkerPool({ entry: pathToFileURL(await cachedLocalBundle(path.join(import.meta.dirname, "spinWorker.ts"), "spinWorker")) });
    try {
      const pages: number[] = [];
      const r = await timed(() => spin.parse(read(BASE_FIXTURE), { fileName: "spin.pdf", limits: { pageTimeoutMs: PAGE_TIMEOUT_MS }, onPage: (n) => pages.push(n) }));
      expect(r.error).toMatchObject({ code: "page_timeout", page: 2 });
      expect(spin.lastRun?.killed).toBe("timeout");
      expect(pages).toEqual([1]);
      expect(r.ms).toBeGreaterThanOrEqual(KILL_WINDOW_MS - 50);
      expect(r.ticks).toBeGreaterThan(r.ms / 100 / 2);
    } finally {
      await spin.close();
    }
  }, 30_000);

  it("a parse over maxMemoryMb is stopped with memory_limit, the process survives, the next document parses", async () => {
    const rss0 = process.memoryUsage.rss();
    const r = await timed(() => pool.parse(read(hog), { fileName: "hog.pdf", limits: { maxMemoryMb: 300 } }));
    expect(r.error).toBeInstanceOf(PdfError);
    expect((r.error as PdfError).code).toBe("memory_limit");
    expect(pool.lastRun?.killed).toBe("memory");
    // Stopped near the limit (one 50 ms sample of overshoot), not at the 2 GB the parse would reach.
    expect(pool.lastRun!.peakRssGrowthMb).toBeLessThan(300 + 250);
    expect(process.memoryUsage.rss() - rss0).toBeLessThan(200 * 1048576); // the worker's memory is given back
    const next = await pool.parse(read(BASE_FIXTURE), { fileName: "next.pdf" });
    expect(next.tables.length).toBeGreaterThan(5);
  }, 120_000);

  it("an abort (the Lambda's time budget) stops the worker at once with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("budget spent");
    setTimeout(() => controller.abort(reason), 500);
    const r = await timed(() => pool.parse(read(stall), { fileName: "stall.pdf", signal: controller.signal }));
    // Stopped by the abort itself: left alone, this input ends in page_timeout / memory_limit.
    expect(r.error).toBe(reason);
    expect(pool.lastRun?.killed).toBe("abort");
  }, 60_000);

  it("typed parser failures come back as themselves and keep the worker warm", async () => {
    const r = await timed(() => pool.parse(new Uint8Array(Buffer.from("not a pdf at all")), { fileName: "x.pdf" }));
    expect(r.error).toBeInstanceOf(PdfError);
    expect((r.error as PdfError).code).toBe("not_pdf");
    await pool.parse(read(BASE_FIXTURE), { fileName: "after.pdf" });
    expect(pool.lastRun?.coldStart).toBe(false);
  }, 60_000);
});
