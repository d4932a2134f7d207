// The Lambda shape: parsers/pdf bundled by esbuild into one file outside node_modules, with
// pdfjs's cmaps/standard_fonts/wasm copied beside it and found through BUDGETLENS_PDFJS_ASSETS,
// and no @napi-rs/canvas reachable (so the DOMMatrix stub must carry pdf.mjs's module load).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const work = mkdtempSync(path.join(os.tmpdir(), "budgetlens-pdf-bundle-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("bundled PDF layer", () => {
  it.each(["esm", "cjs"] as const)("reads the fixture from a %s bundle with copied assets", async (format) => {
    const entry = path.join(work, `entry-${format}.ts`);
    writeFileSync(entry, [
      `import { readFileSync } from "node:fs";`,
      `import { extractPages } from ${JSON.stringify(path.join(repoRoot, "parsers/pdf/index.ts"))};`,
      `void (async () => {`,
      `  const { pages } = await extractPages(new Uint8Array(readFileSync(process.argv[2]!)));`,
      `  const dm = (globalThis as { DOMMatrix?: { name?: string } }).DOMMatrix;`,
      `  console.log(JSON.stringify({ pages: pages.length, first: pages[0]!.runs[0]!.text, rulings: pages[0]!.rulings.length, domMatrix: dm?.name }));`,
      `})();`,
    ].join("\n"));
    const outfile = path.join(work, format === "esm" ? "handler.mjs" : "handler.cjs");
    await build({ entryPoints: [entry], bundle: true, platform: "node", target: "node20", format, outfile, logLevel: "silent" });
    const assets = path.join(work, "pdfjs-assets");
    for (const dir of ["cmaps", "standard_fonts", "wasm"]) cpSync(path.join(repoRoot, "node_modules/pdfjs-dist", dir), path.join(assets, dir), { recursive: true });
    const stdout = execFileSync(process.execPath, [outfile, path.join(repoRoot, "test/pdf/data/fixture.pdf")], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", BUDGETLENS_PDFJS_ASSETS: assets },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const out = JSON.parse(stdout.trim().split("\n").pop()!) as { pages: number; first: string; rulings: number; domMatrix: string };
    expect(out).toMatchObject({ pages: 4, first: "Cell A", rulings: 10 });
    expect(out.domMatrix).toMatch(/DomMatrixStub/);
  });
});
