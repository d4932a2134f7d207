// SameThreadPort hands pdfjs operator-list chunks to the API without a deep copy. It is only
// correct while the parser never touches a chunk's contents after sending it, so the operator
// lists read through it must equal those read through pdfjs's own LoopbackPort (a structured
// clone at send time) on every page: the text-features page, the fixtures, the real filings
// (skipped when absent). A pdfjs upgrade that starts mutating sent operators fails here.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPdfjs, resolvePdfjsAssets, sameThreadWorker, textOnlyFontOptions } from "../../parsers/pdf/pdfjsRuntime.ts";
import { SameThreadPort, snapshotMessage } from "../../parsers/pdf/sameThreadPort.ts";
import { textFeaturesPdf } from "./helpers/textFeaturesPdf.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const realDir = process.env.BUDGETLENS_REAL_DIR ?? path.resolve(repoRoot, "../shared/real");

interface OpList { fnArray: number[]; argsArray: unknown[] }

/** Every page's operator list, read through pdfjs's default port or through a SameThreadPort. */
async function operatorLists(bytes: Uint8Array, sameThread: boolean): Promise<OpList[]> {
  const pdfjs = await loadPdfjs();
  const a = resolvePdfjsAssets();
  const worker = sameThread ? await sameThreadWorker() : undefined;
  const task = pdfjs.getDocument({
    data: bytes.slice(), ...(worker ? { worker } : {}), isEvalSupported: false, ...textOnlyFontOptions(), useSystemFonts: false, cMapUrl: a.cMapUrl,
    cMapPacked: true, standardFontDataUrl: a.standardFontDataUrl, wasmUrl: a.wasmUrl, isOffscreenCanvasSupported: false, isImageDecoderSupported: false, verbosity: 0,
  });
  const out: OpList[] = [];
  try {
    const doc = await task.promise;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const { fnArray, argsArray } = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE });
      out.push({ fnArray: [...fnArray], argsArray: [...argsArray] });
      page.cleanup();
    }
  } finally {
    await task.destroy();
    worker?.destroy();
  }
  return out;
}

/**
 * Class instances (pdfjs Glyph) become plain objects in a structured clone: compare plain data.
 * Loaded-font ids name the document ("g_d3_f1"): the two reads are two documents.
 */
function plain(v: unknown): unknown {
  if (typeof v === "string") return v.replace(/^g_d\d+_/, "g_d_");
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function expectSameOperatorLists(bytes: Uint8Array, label: string): Promise<number> {
  const cloned = await operatorLists(bytes, false);
  const shared = await operatorLists(bytes, true);
  expect(shared.length, `${label}: pages`).toBe(cloned.length);
  let ops = 0;
  cloned.forEach((c, i) => {
    const s = shared[i]!;
    expect(s.fnArray, `${label} page ${i + 1}: operators`).toEqual(c.fnArray);
    expect(plain(s.argsArray), `${label} page ${i + 1}: arguments`).toEqual(plain(c.argsArray));
    ops += c.fnArray.length;
  });
  return ops;
}

describe("SameThreadPort", () => {
  it("delivers an operator-list chunk as it was when sent, although the sender empties its arrays right after", async () => {
    const port = new SameThreadPort();
    const got: unknown[] = [];
    port.addEventListener("message", (e) => got.push(e.data));
    const glyph = { unicode: "中", width: 1000 };
    const chunk = { fnArray: [44], argsArray: [[[glyph]]], lastChunk: false, length: 1 };
    port.postMessage({ sourceName: "worker", targetName: "main", stream: 4, streamId: 1, chunk });
    chunk.fnArray.length = 0; // what OperatorList.flush does after enqueueing
    chunk.argsArray.length = 0;
    expect(got).toEqual([]); // asynchronous, like a real port
    await Promise.resolve();
    expect(got).toEqual([{ sourceName: "worker", targetName: "main", stream: 4, streamId: 1, chunk: { fnArray: [44], argsArray: [[[glyph]]], lastChunk: false, length: 1 } }]);
  });

  it("clones every other message (a later change by the sender is not seen), in send order", async () => {
    const port = new SameThreadPort();
    const got: unknown[] = [];
    port.addEventListener("message", (e) => got.push(e.data));
    const data = { action: "GetPage", data: { view: [0, 0, 595, 842] } };
    port.postMessage(data);
    data.data.view[2] = 1;
    port.postMessage({ action: "second" });
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([{ action: "GetPage", data: { view: [0, 0, 595, 842] } }, { action: "second" }]);
  });

  it("copies every other message to what structuredClone gives: class instances as plain objects, sets, typed arrays, maps, errors", () => {
    class Ref {
      constructor(public num: number, public gen: number) {}
      get str(): string {
        return `${this.num}R`;
      }
    }
    const messages: unknown[] = [
      { sourceName: "d0_worker", targetName: "d0", callback: 1, callbackId: 3, data: { rotate: 0, ref: new Ref(3, 0), refStr: "3R", userUnit: 1, view: [0, 0, 595.3, 841.9] } },
      { action: "GetOperatorList", data: { pageIndex: 0, intent: 1, cacheKey: "1_0", annotationStorage: null, modifiedIds: new Set(["a", "b"]) } },
      { stream: 6, streamId: 2, desiredSize: 1, missing: undefined, nested: [[1, [2, [3]]], { deep: { deeper: true } }] },
      { action: "obj", data: ["img", new Uint8Array([1, 2, 3]), new Map([["k", 1]]), new Error("boom")] },
    ];
    for (const m of messages) {
      const copy = snapshotMessage(m);
      expect(copy).toStrictEqual(structuredClone(m));
      expect(copy).not.toBe(m);
    }
    const ref = (snapshotMessage(messages[0]) as { data: { ref: object } }).data.ref;
    expect(Object.getPrototypeOf(ref)).toBe(Object.prototype); // as structuredClone: no class, no getters
    expect(() => snapshotMessage({ action: "bad", data: { f: () => 1 } })).toThrow(/could not be cloned/);
  });

  it("transfers what the sender transfers (the sender's buffer is detached, as across a real port)", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const copy = snapshotMessage({ data: bytes }, [bytes.buffer]) as { data: Uint8Array };
    expect(Array.from(copy.data)).toEqual([1, 2, 3]);
    expect(bytes.byteLength).toBe(0);
  });

  it("stops delivering after terminate", async () => {
    const port = new SameThreadPort();
    const got: unknown[] = [];
    port.addEventListener("message", (e) => got.push(e.data));
    port.terminate();
    port.postMessage({ action: "late" });
    await Promise.resolve();
    expect(got).toEqual([]);
  });
});

describe("operator lists through SameThreadPort = through pdfjs's LoopbackPort", () => {
  it("on the text-features page and the fixtures", async () => {
    let ops = await expectSameOperatorLists(textFeaturesPdf(), "textFeatures");
    const dir = path.join(repoRoot, "fixtures", "pdf");
    const files = readdirSync(dir).filter((f) => f.endsWith(".pdf")).sort();
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) ops += await expectSameOperatorLists(new Uint8Array(readFileSync(path.join(dir, f))), f);
    expect(ops).toBeGreaterThan(10_000);
  }, 120_000);

  it.skipIf(!existsSync(realDir))("on the real filings", async () => {
    const files = readdirSync(realDir).filter((f) => f.toLowerCase().endsWith(".pdf")).sort();
    let ops = 0;
    for (const f of files) ops += await expectSameOperatorLists(new Uint8Array(readFileSync(path.join(realDir, f))), f);
    expect(ops).toBeGreaterThan(10_000);
  }, 300_000);
});
