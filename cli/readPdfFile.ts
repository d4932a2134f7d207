// Read a PDF from disk and parse it, turning typed failures into one clear line and an exit code.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseDocument } from "../parsers/index.ts";
import type { DisclosureDocument } from "../parsers/model.ts";

export async function parseFile(path: string): Promise<DisclosureDocument> {
  const bytes = new Uint8Array(await readFile(path));
  return parseDocument(bytes, { fileName: basename(path) });
}

/** Print a failure the way an analyst reads it: file, reason code, message. Exit code 2. */
export function failAndExit(path: string, error: unknown): never {
  const code = (error as { code?: string }).code ?? "error";
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`budgetlens: ${path}: ${code}: ${message}\n`);
  process.exit(2);
}
