// No PDF content is ever evaluated as code: pdfjs compiles PostScript functions and font programs
// with `new Function` unless isEvalSupported is false. Assert that openPdf passes it, and that the
// parser's own code never evaluates strings.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { BASE_FIXTURE } from "../../fixtures/hostile/generate.ts";
import { REPO_ROOT } from "./childRunner.ts";

const seen: Record<string, unknown>[] = [];

vi.mock("../../parsers/pdf/pdfjsRuntime.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../parsers/pdf/pdfjsRuntime.ts")>();
  return {
    ...real,
    loadPdfjs: async () => {
      const pdfjs = await real.loadPdfjs();
      // A copy of the namespace whose getDocument records its parameters.
      return { ...pdfjs, getDocument: (params: Record<string, unknown>) => (seen.push(params), pdfjs.getDocument(params as never)) };
    },
  };
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("no PDF content is evaluated", () => {
  it("openPdf passes isEvalSupported: false to pdfjs getDocument", async () => {
    const { openPdf } = await import("../../parsers/pdf/loadPdf.ts");
    const pdf = await openPdf(new Uint8Array(readFileSync(BASE_FIXTURE)));
    await pdf.close();
    expect(seen.length).toBe(1);
    expect(seen[0]!.isEvalSupported).toBe(false);
  }, 60_000);

  it("a whole parse constructs no function from a string (pdfjs without eval, zod jitless)", async () => {
    const { parseDocument } = await import("../../parsers/index.ts");
    const RealFunction = globalThis.Function;
    const calls: string[] = [];
    const record = (args: unknown[]) => void calls.push(String(args[args.length - 1]).slice(0, 80));
    globalThis.Function = new Proxy(RealFunction, {
      construct: (target, args) => (record(args), Reflect.construct(target, args) as object),
      apply: (target, self, args) => (record(args), Reflect.apply(target, self, args) as unknown),
    });
    try {
      const doc = await parseDocument(new Uint8Array(readFileSync(BASE_FIXTURE)), { fileName: "base.pdf" });
      expect(doc.tables.length).toBeGreaterThan(5);
    } finally {
      globalThis.Function = RealFunction;
    }
    expect(calls).toEqual([]);
  }, 60_000);

  it("parsers/ never calls eval or new Function", () => {
    const offenders = sources(path.join(REPO_ROOT, "parsers")).filter((f) => /\beval\s*\(|new\s+Function\s*\(/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
