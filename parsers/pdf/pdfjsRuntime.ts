// Loading pdfjs-dist (legacy build) in Node — plain tsx/vitest runs and an esbuild Lambda bundle.
//
// - No worker thread: in Node pdfjs uses a "fake worker" that runs the parser in this thread. It
//   finds the worker code through `globalThis.pdfjsWorker` before trying a relative dynamic import
//   of "./pdf.worker.mjs" (which a bundle does not have), so we import the worker module ourselves.
// - pdf.mjs evaluates `new DOMMatrix()` at module load. In Node pdfjs polyfills DOMMatrix from the
//   optional @napi-rs/canvas; a Lambda bundle without canvas has none, so we install a tiny stub
//   first (text and operator-list extraction never use it; only canvas rendering would).
// - CMaps, standard fonts and wasm decoders are read from disk: from the directory in env
//   BUDGETLENS_PDFJS_ASSETS (the Lambda bundle copies cmaps/, standard_fonts/, wasm/ there), else
//   from the installed pdfjs-dist package.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";
import { SameThreadPort } from "./sameThreadPort.ts";

export type Pdfjs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");
type DocumentInitParameters = Exclude<Parameters<Pdfjs["getDocument"]>[0], string | URL | ArrayBufferLike | ArrayBufferView | undefined>;

export interface PdfjsAssets {
  cMapUrl: string;
  standardFontDataUrl: string;
  wasmUrl: string;
}

let loaded: Promise<Pdfjs> | undefined;
let workerHandler: { initializeFromPort(port: unknown): void } | undefined;

export function loadPdfjs(): Promise<Pdfjs> {
  loaded ??= (async () => {
    installDomMatrixStub();
    const natives = nativeBuiltins();
    const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
    const worker = await import("pdfjs-dist/legacy/build/pdf.worker.mjs");
    restoreNativeBuiltins(natives);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker ??= worker;
    workerHandler = worker.WorkerMessageHandler as typeof workerHandler;
    pdfjs.GlobalWorkerOptions.workerSrc ||= "pdf.worker.mjs";
    return pdfjs;
  })();
  return loaded;
}

// The legacy build bundles core-js, which on Node 20 *replaces* Array.prototype.push (a JS loop
// that also re-checks the length on every call), JSON.parse and JSON.stringify for the whole
// process, for spec corner cases (arrays longer than 2^32 − 1, non-writable lengths, JSON source
// text access) that neither pdfjs nor this project meets. Every push in pdfjs's parser and in our
// layout code went through it (~8% of a parse). The native functions are put back after loading;
// additions (Promise.withResolvers, Map.prototype.getOrInsert, Uint8Array base64…) stay.
function nativeBuiltins() {
  return { push: Array.prototype.push, parse: JSON.parse, stringify: JSON.stringify };
}

function restoreNativeBuiltins(n: ReturnType<typeof nativeBuiltins>): void {
  if (Array.prototype.push !== n.push) Object.defineProperty(Array.prototype, "push", { value: n.push, writable: true, configurable: true, enumerable: false });
  if (JSON.parse !== n.parse) Object.defineProperty(JSON, "parse", { value: n.parse, writable: true, configurable: true, enumerable: false });
  if (JSON.stringify !== n.stringify) Object.defineProperty(JSON, "stringify", { value: n.stringify, writable: true, configurable: true, enumerable: false });
}

/**
 * A pdfjs worker for one document whose parser runs in this thread behind a SameThreadPort
 * (operator lists handed over without a deep copy; see sameThreadPort.ts), passed to getDocument
 * as `worker`. pdfjs does not destroy a worker it was given: call destroy() after the loading
 * task's destroy().
 */
export async function sameThreadWorker(): Promise<InstanceType<Pdfjs["PDFWorker"]>> {
  const pdfjs = await loadPdfjs();
  if (!workerHandler) throw new Error("pdfjs worker module has no WorkerMessageHandler");
  const port = new SameThreadPort();
  workerHandler.initializeFromPort(port);
  // pdfjs's typings declare `port` as null-only; PDFWorker accepts any Worker-like port.
  const worker = new pdfjs.PDFWorker({ port } as unknown as ConstructorParameters<Pdfjs["PDFWorker"]>[0]);
  const destroy = worker.destroy.bind(worker);
  worker.destroy = () => {
    destroy();
    port.terminate();
  };
  return worker;
}

/**
 * getDocument options that keep pdfjs from preparing fonts for drawing, which this project never
 * does. With disableFontFace (pdfjs's Node default) the worker compiles the outline of every glyph
 * shown and posts it to this thread (~7% of a parse); without it pdfjs hands each font to its
 * FontLoader, which needs a document to install the font in. This stand-in document
 * (getDocument's documented `ownerDocument`) has a Font Loading API set (`fonts`) that keeps
 * nothing, and installFontFaceStub() supplies the FontFace class Node lacks, so a font is "loaded"
 * without its bytes being base64-encoded into an @font-face rule (~2% of a parse). Text, widths
 * and Unicode mapping do not depend on either path.
 */
export function textOnlyFontOptions(): Pick<DocumentInitParameters, "disableFontFace" | "ownerDocument"> {
  installFontFaceStub();
  const sheet = { cssRules: { length: 0 }, insertRule: () => 0 };
  const ownerDocument = {
    fonts: { add: () => undefined, delete: () => true },
    // Used only if a FontFace class were missing: the @font-face rule path, dropped as well.
    createElement: () => ({ sheet, remove: () => undefined }),
    documentElement: { getElementsByTagName: () => [{ append: () => undefined }] },
  };
  return { disableFontFace: false, ownerDocument: ownerDocument as unknown as DocumentInitParameters["ownerDocument"] };
}

/** A FontFace that is loaded at once and draws nothing: the one pdfjs creates per font in this process. */
class FontFaceStub {
  readonly status = "loaded";
  readonly loaded: Promise<this>;
  constructor(readonly family: string) {
    this.loaded = Promise.resolve(this);
  }
  load(): Promise<this> {
    return this.loaded;
  }
}

function installFontFaceStub(): void {
  const g = globalThis as { FontFace?: unknown };
  g.FontFace ??= FontFaceStub;
}

/** Directory paths with a trailing separator, as pdfjs requires for its factory URLs. */
export function resolvePdfjsAssets(env: NodeJS.ProcessEnv = process.env): PdfjsAssets {
  const base = assetBaseDir(env);
  const dir = (name: string) => path.join(base, name) + path.sep;
  return { cMapUrl: dir("cmaps"), standardFontDataUrl: dir("standard_fonts"), wasmUrl: dir("wasm") };
}

function assetBaseDir(env: NodeJS.ProcessEnv): string {
  const override = env.BUDGETLENS_PDFJS_ASSETS;
  if (override) {
    if (!existsSync(path.join(override, "cmaps"))) {
      throw new Error(`BUDGETLENS_PDFJS_ASSETS=${override} has no cmaps/ directory (copy pdfjs-dist's cmaps/, standard_fonts/ and wasm/ there)`);
    }
    return override;
  }
  const candidates: string[] = [];
  for (const from of requireBases()) {
    try {
      candidates.push(path.dirname(createRequire(from).resolve("pdfjs-dist/package.json")));
    } catch {
      /* try the next base */
    }
  }
  // A bundle run from its own directory with the assets copied beside it, without the env var.
  candidates.push(process.cwd());
  const found = candidates.find((c) => existsSync(path.join(c, "cmaps")));
  if (!found) throw new Error("Cannot find pdfjs-dist's cmaps/ and standard_fonts/: install pdfjs-dist or set BUDGETLENS_PDFJS_ASSETS");
  return found;
}

function requireBases(): string[] {
  const bases: string[] = [];
  try {
    if (typeof import.meta.url === "string") bases.push(import.meta.url);
  } catch {
    /* CommonJS bundle: import.meta is empty */
  }
  bases.push(path.join(process.cwd(), "noop.js"));
  return bases;
}

/** Minimal DOMMatrix: enough for pdf.mjs to evaluate its module body without a canvas package. */
function installDomMatrixStub(): void {
  const g = globalThis as { DOMMatrix?: unknown };
  if (g.DOMMatrix) return;
  try {
    // Prefer the real one when the optional canvas package is present (pdfjs would use it too).
    const req = createRequire(typeof import.meta.url === "string" ? import.meta.url : path.join(process.cwd(), "noop.js"));
    const canvas = req("@napi-rs/canvas") as { DOMMatrix?: unknown };
    if (canvas.DOMMatrix) {
      g.DOMMatrix = canvas.DOMMatrix;
      return;
    }
  } catch {
    /* not installed: fall through to the stub */
  }
  g.DOMMatrix = DomMatrixStub;
}

class DomMatrixStub {
  a = 1; b = 0; c = 0; d = 1; e = 0; f = 0;
  constructor(init?: ArrayLike<number>) {
    if (init && init.length >= 6) {
      [this.a, this.b, this.c, this.d, this.e, this.f] = [init[0]!, init[1]!, init[2]!, init[3]!, init[4]!, init[5]!];
    }
  }
  multiplySelf(o: DomMatrixStub): this {
    const { a, b, c, d, e, f } = this;
    this.a = a * o.a + c * o.b; this.b = b * o.a + d * o.b;
    this.c = a * o.c + c * o.d; this.d = b * o.c + d * o.d;
    this.e = a * o.e + c * o.f + e; this.f = b * o.e + d * o.f + f;
    return this;
  }
  preMultiplySelf(o: DomMatrixStub): this {
    const m = new DomMatrixStub([o.a, o.b, o.c, o.d, o.e, o.f]).multiplySelf(this);
    Object.assign(this, { a: m.a, b: m.b, c: m.c, d: m.d, e: m.e, f: m.f });
    return this;
  }
  translateSelf(tx = 0, ty = 0): this { return this.multiplySelf(new DomMatrixStub([1, 0, 0, 1, tx, ty])); }
  scaleSelf(sx = 1, sy = sx): this { return this.multiplySelf(new DomMatrixStub([sx, 0, 0, sy, 0, 0])); }
  invertSelf(): this {
    const { a, b, c, d, e, f } = this;
    const det = a * d - b * c;
    if (!det) return this;
    Object.assign(this, { a: d / det, b: -b / det, c: -c / det, d: a / det, e: (c * f - d * e) / det, f: (b * e - a * f) / det });
    return this;
  }
}
