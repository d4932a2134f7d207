// Child process for hostile-input runs: parses one file with parseDocument and prints one JSON line
// (outcome, error code, time, peak RSS). Running each input in its own process means a crash or an
// out-of-memory abort shows up as an exit status instead of taking the test runner down.
//   npx tsx test/hostile/parseChild.ts FILE [limitsJSON]
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseDocument } from "../../parsers/index.ts";
import { loadPdfjs } from "../../parsers/pdf/pdfjsRuntime.ts";

export interface ChildResult {
  outcome: "ok" | "error";
  code?: string;
  name?: string;
  message?: string;
  tables?: number;
  cells?: number;
  warnings?: string[];
  pageCount?: number;
  /** Parse time, excluding loading pdfjs itself. */
  ms: number;
  maxRssMb: number;
}

const [file, limitsJson] = process.argv.slice(2);
if (!file) throw new Error("usage: parseChild FILE [limitsJSON]");
await loadPdfjs(); // module load is not the document's cost
const t0 = performance.now();
let result: ChildResult;
try {
  const doc = await parseDocument(new Uint8Array(readFileSync(file)), { fileName: basename(file), limits: limitsJson ? JSON.parse(limitsJson) : undefined });
  result = {
    outcome: "ok",
    tables: doc.tables.length,
    cells: doc.tables.reduce((n, t) => n + t.rows.reduce((m, r) => m + r.cells.length, 0), 0),
    warnings: doc.warnings.map((w) => w.message.slice(0, 160)),
    pageCount: doc.source.pageCount,
    ms: 0,
    maxRssMb: 0,
  };
} catch (e) {
  const err = e as { name?: string; code?: unknown; message?: string };
  result = { outcome: "error", name: err?.name, code: typeof err?.code === "string" ? err.code : undefined, message: String(err?.message ?? e).slice(0, 300), ms: 0, maxRssMb: 0 };
}
result.ms = Math.round(performance.now() - t0);
result.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(JSON.stringify(result) + "\n");
// pdfjs may leave timers (a timed-out page keeps working in the background): do not wait for them.
process.exit(0);
