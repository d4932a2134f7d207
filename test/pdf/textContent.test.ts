// textContentFromOperatorList must return what pdfjs getTextContent returns for the same page:
// the same items (text, font, transform, width, height) in the same order, and the same font
// styles. Checked on a synthetic page with the text features getTextContent handles, on the
// hand-written fixture, on generated fixtures and on the real filings (skipped when absent).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPdfjs, resolvePdfjsAssets, textOnlyFontOptions } from "../../parsers/pdf/pdfjsRuntime.ts";
import { readTextFont, textContentFromOperatorList, decimalOfFloat32, MAY_NEED_NORMALIZING } from "../../parsers/pdf/textContent.ts";
import { textFeaturesPdf } from "./helpers/textFeaturesPdf.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const realDir = process.env.BUDGETLENS_REAL_DIR ?? path.resolve(repoRoot, "../shared/real");

interface Item { str: string; fontName: string; transform: number[]; width: number; height: number; dir?: string }
interface Style { ascent?: number; descent?: number; vertical?: boolean }

/** Both item lists of every page, read with the options openPdf uses. */
async function bothWays(bytes: Uint8Array): Promise<{ page: number; pdfjs: Item[]; ours: Item[]; pdfjsStyles: Record<string, Style>; ourStyles: Record<string, Style> }[]> {
  const pdfjs = await loadPdfjs();
  const a = resolvePdfjsAssets();
  const task = pdfjs.getDocument({
    data: bytes, isEvalSupported: false, ...textOnlyFontOptions(), useSystemFonts: false, cMapUrl: a.cMapUrl, cMapPacked: true,
    standardFontDataUrl: a.standardFontDataUrl, wasmUrl: a.wasmUrl, isOffscreenCanvasSupported: false, isImageDecoderSupported: false, verbosity: 0,
  });
  const doc = await task.promise;
  const out = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const opList = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE });
      const tc = await page.getTextContent({ includeMarkedContent: false });
      const ours = textContentFromOperatorList(pdfjs, opList, (name) => readTextFont(page.commonObjs, name), page.view);
      out.push({ page: n, pdfjs: tc.items.filter((i) => "str" in i) as Item[], ours: ours.items as Item[], pdfjsStyles: tc.styles as Record<string, Style>, ourStyles: ours.styles });
      page.cleanup();
    }
  } finally {
    await task.destroy();
  }
  return out;
}

/** Items compared field by field; positions within 1e-3 pt (float32 Tm in the operator list). */
function expectSame(pages: Awaited<ReturnType<typeof bothWays>>, label: string): number {
  let count = 0;
  for (const p of pages) {
    const simplify = (items: Item[]) => items.map((i) => ({ str: i.str, fontName: i.fontName, dir: i.dir }));
    expect(simplify(p.ours), `${label} page ${p.page}: text and fonts`).toEqual(simplify(p.pdfjs));
    p.pdfjs.forEach((t, i) => {
      const o = p.ours[i]!;
      const where = `${label} page ${p.page} item ${i} ${JSON.stringify(t.str)}`;
      t.transform.forEach((v, k) => expect(Math.abs(o.transform[k]! - v), `${where} transform[${k}]`).toBeLessThan(1e-3));
      expect(Math.abs(o.width - t.width), `${where} width`).toBeLessThan(1e-3);
      expect(Math.abs(o.height - t.height), `${where} height`).toBeLessThan(1e-3);
    });
    for (const name of new Set(p.pdfjs.filter((i) => i.str.trim()).map((i) => i.fontName))) {
      const t = p.pdfjsStyles[name]!, o = p.ourStyles[name]!;
      const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
      expect({ ascent: num(o.ascent), descent: num(o.descent), vertical: !!o.vertical }, `${label} page ${p.page} style ${name}`).toEqual({ ascent: num(t.ascent), descent: num(t.descent), vertical: !!t.vertical });
    }
    count += p.pdfjs.length;
  }
  return count;
}

describe("normalizeUnicode shortcut", () => {
  it("every character pdfjs's normalizeUnicode changes is caught by MAY_NEED_NORMALIZING (else items would keep ligatures)", async () => {
    const pdfjs = await loadPdfjs();
    let changed = 0;
    for (let c = 0; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      if (pdfjs.normalizeUnicode(ch) !== ch) {
        changed++;
        expect(MAY_NEED_NORMALIZING.test(ch), `U+${c.toString(16)}`).toBe(true);
      }
    }
    expect(changed).toBeGreaterThan(500); // the check is not vacuous
    expect(pdfjs.normalizeUnicode("\ud83d\ude00 a")).toBe("\ud83d\ude00 a"); // nothing outside the BMP either
  });
});

describe("text items from the operator list = pdfjs getTextContent", () => {
  it("on a page with TJ spacing, Tc/Tw/Tz/Ts, ' and \", rotation, a form, marked content, Type3, Identity-H and vertical CJK", async () => {
    const pages = await bothWays(textFeaturesPdf());
    expect(expectSame(pages, "textFeatures")).toBeGreaterThan(30);
    const strs = pages[0]!.ours.map((i) => i.str);
    // The features are really there (the comparison is not vacuous).
    expect(strs).toContain("Kerned words and"); // small TJ gaps become spaces
    expect(strs).toContain("gap"); // a large one starts a new item
    expect(strs).toContain("Inside the form");
    expect(strs.some((s) => s.includes("中文字"))).toBe(true); // Identity-H through ToUnicode
    const vertical = pages[0]!.ours.filter((i) => i.dir === "ttb");
    expect(vertical.map((i) => i.str).join("")).toContain("中文字");
    expect(strs).not.toContain("Off the page");
    // Type3 at Tf 1 in a 12-pt Tm: pdfjs scales the height by the glyph bbox (80 units × 0.01).
    expect(pages[0]!.ours.find((i) => i.str === "a b a b")?.height).toBeCloseTo(9.6, 6);
  }, 60_000);

  it("on the hand-written fixture and generated fixtures", async () => {
    let n = 0;
    for (const f of [path.join(here, "data", "fixture.pdf"), ...["culture-2025-lo", "civil-2025", "edu-2025"].map((x) => path.join(repoRoot, "fixtures", "pdf", `${x}.pdf`))]) {
      n += expectSame(await bothWays(new Uint8Array(readFileSync(f))), path.basename(f));
    }
    expect(n).toBeGreaterThan(10_000);
  }, 180_000);

  it.skipIf(!existsSync(realDir))("on the real filings", async () => {
    const files = readdirSync(realDir).filter((f) => f.endsWith(".pdf"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expectSame(await bothWays(new Uint8Array(readFileSync(path.join(realDir, f)))), f);
  }, 300_000);
});

describe("decimalOfFloat32", () => {
  it("recovers the decimal a content stream wrote from its float32", () => {
    for (const v of [0.05, 89.88, 1074.119, 358.85, -12.5, 0.001, 612]) expect(decimalOfFloat32(Math.fround(v))).toBe(v);
  });
});
