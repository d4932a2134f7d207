// The hostile inputs that are slow or memory-hungry today, each in its own child process (plain
// node, esbuild bundle) with a kill timer: the runner survives whatever they do. Each must end with
// the expected code within its time bound and, where set, under its peak-RSS bound.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { HOSTILE_CASES, HOSTILE_PDF_DIR } from "../../fixtures/hostile/cases.ts";
import { runInChild } from "./childRunner.ts";

/** Time to start node and load the bundle + pdfjs in the child, on a loaded machine. */
const STARTUP_MS = 10_000;

describe.concurrent("hostile inputs in a child process (bounded time and memory)", () => {
  for (const c of HOSTILE_CASES.filter((x) => x.isolate)) {
    it(`${c.name}: ${c.what} → ${c.expect[0]} within ${c.withinMs / 1000} s${c.maxRssMb ? `, under ${c.maxRssMb} MB` : ""}`, async () => {
      const o = await runInChild(path.join(HOSTILE_PDF_DIR, c.file), { limits: c.limits, killAfterMs: c.withinMs + STARTUP_MS });
      expect(o.result, o.message).toBe(c.expect[0]);
      expect(o.ms).toBeLessThan(c.withinMs);
      if (c.maxRssMb !== undefined) expect(o.maxRssMb).toBeLessThan(c.maxRssMb);
    }, c.withinMs + STARTUP_MS + 30_000);
  }
});
