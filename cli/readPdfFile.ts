// Read a PDF from disk and parse it, turning typed failures into one clear line and an exit code.
// The parse runs in a worker thread (functions/shared/parseInWorker.ts): a page that hangs or a
// file that eats memory ends as page_timeout / memory_limit instead of a stuck or crashed command.
import { readFile, stat } from "node:fs/promises";
import { PdfError } from "../parsers/pdf/errors.ts";
import { DEFAULT_PDF_LIMITS, type PdfLimits } from "../parsers/pdf/limits.ts";
import { basename } from "node:path";
import type { DisclosureDocument } from "../parsers/model.ts";
import type { Command } from "commander";
import { parserFromEnv } from "../functions/shared/parseInWorker.ts";

export async function parseFile(path: string, limits: Partial<PdfLimits> = {}, opts: { inProcess?: boolean } = {}): Promise<DisclosureDocument> {
  // Refuse an oversized file from its size, before reading it into memory.
  const maxBytes = limits.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
  const { size } = await stat(path);
  if (size > maxBytes) throw new PdfError("too_large", `The file is ${Math.round(size / 1024 / 1024)} MB, over the limit of ${Math.round(maxBytes / 1024 / 1024)} MB for one PDF.`);
  const bytes = new Uint8Array(await readFile(path));
  const parse = parserFromEnv(opts.inProcess ? { BUDGETLENS_PARSE_ISOLATION: "in-process" } : process.env);
  return parse(bytes, { fileName: basename(path), limits });
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
  maxMemory?: number;
  /** Parse in the command's own thread (debugging): no hard time or memory bound. */
  inProcess?: boolean;
}

/** The limit options of `parse` and `check`. */
export function addLimitOptions(command: Command): Command {
  return command
    .option("--max-pages <n>", "refuse PDFs with more pages", Number)
    .option("--max-bytes <n>", "refuse PDFs larger than this many bytes", Number)
    .option("--page-timeout <ms>", "give up on a page that takes longer (the parse worker is stopped)", Number)
    .option("--max-memory <mb>", "give up when the parse needs more memory (MB)", Number)
    .option("--in-process", "parse in this thread instead of a worker thread (debugging; no hard time/memory bound)");
}

/** `--max-pages / --max-bytes / --page-timeout` → PdfLimits overrides. */
export function limitsOf(opts: LimitOptions): Partial<PdfLimits> {
  return {
    ...(opts.maxPages !== undefined ? { maxPages: opts.maxPages } : {}),
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
    ...(opts.pageTimeout !== undefined ? { pageTimeoutMs: opts.pageTimeout } : {}),
    ...(opts.maxMemory !== undefined ? { maxMemoryMb: opts.maxMemory } : {}),
  };
}
