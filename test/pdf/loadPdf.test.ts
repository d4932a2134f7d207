import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractPages, openPdf, PdfError, type OpenedPdf, type PageModel } from "../../parsers/pdf/index.ts";
import { decodeFontName } from "../../parsers/pdf/loadPdf.ts";

const data = path.join(path.dirname(fileURLToPath(import.meta.url)), "data");
const load = (name: string) => new Uint8Array(readFileSync(path.join(data, name)));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "no error";
  } catch (e) {
    expect(e).toBeInstanceOf(PdfError);
    expect((e as PdfError).message.length).toBeGreaterThan(20);
    return (e as PdfError).code;
  }
}

describe("openPdf on the hand-written fixture", () => {
  let pdf: OpenedPdf;
  let pages: PageModel[];
  beforeAll(async () => {
    pdf = await openPdf(load("fixture.pdf"));
    pages = await pdf.readAllPages();
  });
  afterAll(() => pdf.close());

  it("reports info and page geometry", () => {
    expect(pdf.pageCount).toBe(4);
    expect(pdf.info.producer).toBe("budgetlens test fixture");
    expect(pages.map((p) => [p.pageNumber, p.width, p.height, p.rotation])).toEqual([
      [1, 595, 842, 0],
      [2, 842, 595, 90],
      [3, 842, 595, 0],
      [4, 595, 842, 0],
    ]);
  });

  it("places runs with a top-left origin", () => {
    const p = pages[0]!;
    const a = p.runs.find((r) => r.text === "Cell A")!;
    // Baseline at user y=650 on an 842 pt page → 192 from the top; box spans the baseline.
    expect(a.x0).toBeCloseTo(110, 0);
    expect(a.y0).toBeLessThan(192);
    expect(a.y1).toBeGreaterThan(192);
    expect(a.y1 - a.y0).toBeGreaterThan(8);
    expect(a.y1 - a.y0).toBeLessThan(16);
    expect(a.x1 - a.x0).toBeGreaterThan(25);
    expect(a.fontSize).toBeCloseTo(12, 1);
    expect(a.fontName).toBeTruthy();
  });

  it("drops invisible (Tr 3), white-on-white, duplicate and off-page text; keeps white on black and clipped text", () => {
    const texts = pages[0]!.runs.map((r) => r.text);
    expect(texts).not.toContain("HIDDEN");
    expect(texts).not.toContain("WHITEONWHITE");
    expect(texts).not.toContain("OFFPAGE");
    expect(texts.filter((t) => t === "DUP")).toHaveLength(1);
    expect(texts).toContain("INVERSE");
    expect(texts).toContain("CLIPPEDLONGTEXT");
    expect(texts).toContain("1,057.99");
  });

  it("places text of a form XObject through its placement matrix", () => {
    const f = pages[0]!.runs.find((r) => r.text === "IN FORM")!;
    expect(f.x0).toBeCloseTo(210, 0); // 200 (cm) + 10
    expect(f.y1).toBeGreaterThan(842 - 120);
    expect(f.y0).toBeLessThan(842 - 120);
  });

  it("finds the rulings however they are drawn, and nothing else", () => {
    const r = pages[0]!.rulings.map((g) => `${g.orientation}@${Math.round(g.at)}:${Math.round(g.from)}-${Math.round(g.to)}`);
    expect(r).toEqual([
      "h@142:100-500", // frame top (re S)
      "h@242:100-500", // two stroked pieces with a 1 pt gap, joined
      "h@342:100-500", // frame bottom
      "h@392:100-500", // 40 Word-style fragments, merged
      "h@742:200-300", // inside the form XObject
      "h@762:100-300", // under a scaling CTM
      "v@60:542-742", // under a translating CTM
      "v@100:142-342",
      "v@300:142-342", // thin filled rectangle
      "v@500:142-342",
    ]);
  });

  it("turns a /Rotate 90 page upright: the text line is wider than tall, its rule horizontal", () => {
    const p = pages[1]!;
    expect(p.runs).toHaveLength(1);
    const run = p.runs[0]!;
    expect(run.text).toBe("Rotated line of text");
    expect(run.x1 - run.x0).toBeGreaterThan(3 * (run.y1 - run.y0));
    expect(run.x0).toBeCloseTo(100, 0);
    expect(p.rulings).toEqual([{ orientation: "h", at: 480, from: 100, to: 400 }]);
    // The rule sits just below the text line, as drawn.
    expect(p.rulings[0]!.at).toBeLessThan(run.y0);
  });

  it("reads a landscape page without rotation", () => {
    const p = pages[2]!;
    expect(p.runs[0]!.text).toBe("Landscape title");
    expect(p.runs[0]!.y0).toBeLessThan(60);
    expect(p.rulings).toEqual([{ orientation: "h", at: 95, from: 50, to: 790 }]);
  });

  it("splits runs that pdfjs joined across a cell boundary, and only those", () => {
    const runs = pages[3]!.runs;
    const texts = runs.map((r) => r.text);
    expect(texts.slice(0, 5)).toEqual(["123.45", "Label", "1,000.00", "2,000.00", "Total 5 items in 2026"]);
    const amount = runs[0]!, label = runs[1]!;
    expect(amount.x1).toBeLessThan(197.3);
    expect(label.x0).toBeGreaterThan(197.3);
    expect(runs[2]!.x1).toBeLessThan(runs[3]!.x0);
    expect(pdf.stats.get(4)?.splits).toBe(2);
  });

  it("drops text and lines inside an optional-content layer that is off", () => {
    expect(pages[3]!.runs.map((r) => r.text)).not.toContain("LAYEROFF");
    expect(pages[3]!.rulings.filter((g) => g.orientation === "h")).toEqual([]);
    expect(pdf.stats.get(4)?.droppedInvisible).toBe(1);
  });

  it("maps radical code points from a ToUnicode map back to ideographs", () => {
    expect(pages[3]!.runs.map((r) => r.text)).toContain("门目");
    expect(pdf.stats.get(4)?.radicalsMapped).toBe(2);
  });

  it("rejects page numbers out of range", async () => {
    await expect(pdf.readPage(0)).rejects.toThrow(RangeError);
    await expect(pdf.readPage(5)).rejects.toThrow(RangeError);
  });

  it("does not detach the caller's buffer", async () => {
    const bytes = load("fixture.pdf");
    const other = await openPdf(bytes);
    await other.close();
    expect(bytes.byteLength).toBeGreaterThan(1000);
    expect(bytes[0]).toBe(0x25);
  });
});

describe("PdfError codes", () => {
  it("empty", async () => {
    expect(await codeOf(openPdf(load("empty.pdf")))).toBe("empty");
    expect(await codeOf(openPdf(new Uint8Array()))).toBe("empty");
  });
  it("not_pdf", async () => expect(await codeOf(openPdf(load("not-a-pdf.pdf")))).toBe("not_pdf"));
  it("corrupt (truncated file)", async () => expect(await codeOf(extractPages(load("truncated.pdf")))).toBe("corrupt"));
  it("corrupt (header, then garbage)", async () => {
    const junk = new TextEncoder().encode("%PDF-1.7\n" + "x".repeat(500));
    expect(await codeOf(extractPages(junk))).toBe("corrupt");
  });
  it("encrypted (user password)", async () => expect(await codeOf(openPdf(load("encrypted-user-password.pdf")))).toBe("encrypted"));
  it("owner-password-only PDFs open", async () => {
    const { pages } = await extractPages(load("encrypted-owner-only.pdf"));
    expect(pages[0]!.runs.map((r) => r.text)).toEqual(["Secret budget"]);
  });
  it("no_text_layer (image-only scan)", async () => expect(await codeOf(extractPages(load("image-only.pdf")))).toBe("no_text_layer"));
  it("too_large", async () => expect(await codeOf(openPdf(load("fixture.pdf"), { maxBytes: 1000 }))).toBe("too_large"));
  it("too_many_pages", async () => expect(await codeOf(openPdf(load("fixture.pdf"), { maxPages: 2 }))).toBe("too_many_pages"));
  it("page_timeout", async () => {
    const pdf = await openPdf(load("fixture.pdf"), { pageTimeoutMs: 0.001 });
    try {
      const err = await pdf.readPage(1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PdfError);
      expect((err as PdfError).code).toBe("page_timeout");
      expect((err as PdfError).page).toBe(1);
    } finally {
      await pdf.close();
    }
  });
  it("rejects nonsense limits", async () => {
    await expect(openPdf(load("fixture.pdf"), { maxPages: -1 })).rejects.toThrow(RangeError);
  });
});

describe("maxRunsPerPage", () => {
  it("truncates with a warning", async () => {
    const { pages } = await extractPages(load("fixture.pdf"), { maxRunsPerPage: 3 });
    expect(pages[0]!.runs).toHaveLength(3);
    expect(pages[0]!.warnings?.[0]).toMatch(/only the first 3/);
    expect(pages[1]!.warnings).toBeUndefined();
  });
});

describe("decodeFontName", () => {
  it("decodes GBK-byte BaseFont names and leaves others alone", () => {
    expect(decodeFontName("ABCDEE+\u00cb\u00ce\u00cc\u00e5")).toBe("ABCDEE+宋体");
    expect(decodeFontName("Helvetica")).toBe("Helvetica");
    expect(decodeFontName("宋体")).toBe("宋体");
    expect(decodeFontName(undefined)).toBeUndefined();
  });
});

describe("fonts are loaded for text only", () => {
  it("pdfjs hands each embedded font to the stand-in Font Loading API, never builds a base64 @font-face rule nor glyph outlines", async () => {
    const { loadPdfjs, resolvePdfjsAssets, textOnlyFontOptions } = await import("../../parsers/pdf/pdfjsRuntime.ts");
    const pdfjs = await loadPdfjs();
    const options = textOnlyFontOptions();
    const doc = options.ownerDocument as unknown as { fonts: { add: (f: unknown) => void }; createElement: () => unknown };
    const added: { family: string }[] = [];
    let rules = 0;
    doc.fonts.add = (f) => void added.push(f as { family: string });
    const createElement = doc.createElement;
    doc.createElement = () => (rules++, createElement());
    const a = resolvePdfjsAssets();
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const task = pdfjs.getDocument({
      data: new Uint8Array(readFileSync(path.join(repoRoot, "fixtures", "pdf", "seed-dept.pdf"))), isEvalSupported: false, ...options, useSystemFonts: false,
      cMapUrl: a.cMapUrl, cMapPacked: true, standardFontDataUrl: a.standardFontDataUrl, wasmUrl: a.wasmUrl, verbosity: 0,
    });
    try {
      const page = await (await task.promise).getPage(3);
      const ops = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE });
      expect(ops.fnArray.filter((f) => f === pdfjs.OPS.showText).length).toBeGreaterThan(10);
      expect(added.length).toBeGreaterThan(0);
      expect(added.every((f) => f.family.startsWith("g_d"))).toBe(true);
      expect(rules).toBe(0);
      // No glyph outlines were compiled (they arrive as commonObjs "…_path_…" entries).
      expect([...(page.commonObjs as unknown as { [Symbol.iterator](): Iterator<[string, unknown]> })].some(([k]) => k.includes("_path_"))).toBe(false);
    } finally {
      await task.destroy();
    }
  });
});
