// Read a PDF from disk and parse it, turning typed failures into one clear line and an exit code.
import { readFile, stat } from "node:fs/promises";
import { PdfError } from "../parsers/pdf/errors.ts";
import { DEFAULT_PDF_LIMITS, type PdfLimits } from "../parsers/pdf/limits.ts";
import { basename } from "node:path";
import { parseDocument } from "../parsers/index.ts";
import type { DisclosureDocument } from "../parsers/model.ts";

export async function parseFile(path: string, limits: Partial<PdfLimits> = {}): Promise<DisclosureDocument> {
  // Refuse an oversized file from its size, before reading it into memory.
  const maxBytes = limits.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
  const { size } = await stat(path);
  if (size > maxBytes) throw new PdfError("too_large", `The file is ${Math.round(size / 1024 / 1024)} MB, over the limit of ${Math.round(maxBytes / 1024 / 1024)} MB for one PDF.`);
  const bytes = new Uint8Array(await readFile(path));
  return parseDocument(bytes, { fileName: basename(path), limits });
}

/** Print a failure the way an analyst reads it: file, reason code, message. Exit code 2. */
export function failAndExit(path: string, error: unknown): never {
  const code = (error as { code?: string }).code ?? "error";
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`budgetlens: ${path}: ${code}: ${message}\n`);
  process.exit(2);
}

export interface LimitOptions {
  maxPages?: number;
  maxBytes?: number;
  pageTimeout?: number;
}

/** `--max-pages / --max-bytes / --page-timeout` → PdfLimits overrides. */
export function limitsOf(opts: LimitOptions): Partial<PdfLimits> {
  return {
    ...(opts.maxPages !== undefined ? { maxPages: opts.maxPages } : {}),
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
    ...(opts.pageTimeout !== undefined ? { pageTimeoutMs: opts.pageTimeout } : {}),
  };
}
