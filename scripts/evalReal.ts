// `npm run eval:real -- ../shared/real`: parse every real filing and report, per file, the tables
// found (number, title, kind, pages, rows, cells), how many reconcile internally, and every failure.
// Where a hand-checked truth exists (test/realTruth/<file>.json) the cell F1 against it is printed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseDocument } from "../parsers/index.ts";
import { toCellRecords } from "../parsers/cells.ts";
import type { CellRecord } from "../parsers/model.ts";

const dir = resolve(process.argv[2] ?? process.env.BUDGETLENS_REAL_DIR ?? "../shared/real");
const verbose = process.argv.includes("--tables");
const files = readdirSync(dir).filter((f) => f.toLowerCase().endsWith(".pdf")).sort();
const truthDir = resolve("test/realTruth");
let failures = 0;
// Reconciliation is optional here so the parser can be measured on its own.
const checkDocument = await import("../reconcile/index.ts").then((m) => m.checkDocument).catch(() => undefined);
for (const file of files) {
  const started = performance.now();
  try {
    const doc = await parseDocument(new Uint8Array(readFileSync(join(dir, file))), { fileName: file });
    const ms = Math.round(performance.now() - started);
    const records = toCellRecords(doc);
    const flags = checkDocument ? checkDocument(doc) : [];
    // A table reconciles when no within-table or cross-table rule (sum.*, cross.*, balance.*) raised an error or warning on it.
    const failing = new Set(flags.filter((f) => f.severity !== "info" && /^(sum|cross|balance)\./u.test(f.rule)).map((f) => f.table));
    const reconciled = doc.tables.filter((t) => !t.empty && !failing.has(t.number)).length;
    const nonEmpty = doc.tables.filter((t) => !t.empty).length;
    console.log(
      `${file}\n  ${doc.source.pageCount} pages, ${ms} ms, ${doc.meta.docType}/${doc.meta.family}, ${doc.meta.department ?? "?"} ${doc.meta.year ?? "?"}` +
        `\n  tables ${doc.tables.length} (${nonEmpty} with data), cells ${records.length}, internally reconciled ${reconciled}/${nonEmpty}, flags: ${count(flags, "error")} errors ${count(flags, "warning")} warnings`,
    );
    if (verbose) {
      for (const t of doc.tables) {
        console.log(`    ${t.id} ${t.number.padEnd(10)} ${t.kind.padEnd(28)} p${t.pages.join(",")} ${t.method} rows ${t.rows.length} cols ${t.columns.length}${t.empty ? " EMPTY" : ""} ${t.unit ?? "?"} ${t.title}`);
      }
    }
    const truthFile = join(truthDir, basename(file, ".pdf") + ".json");
    if (existsSync(truthFile)) {
      const truth = JSON.parse(readFileSync(truthFile, "utf8")) as { tables: string[]; cells: CellRecord[] };
      const predicted = records.filter((r) => truth.tables.includes(r.table));
      const { scoreCells } = await import("../fixtures/score.ts");
      const s = scoreCells(predicted, truth.cells);
      console.log(`  hand-checked truth (${truth.tables.join(", ")}): P ${s.precision.toFixed(4)} R ${s.recall.toFixed(4)} F1 ${s.f1.toFixed(4)} (${s.tp} tp, ${s.fp} fp, ${s.fn} fn)`);
    }
  } catch (e) {
    failures++;
    console.log(`${file}\n  FAILED ${(e as { code?: string }).code ?? ""} ${(e as Error).message}`);
  }
}
console.log(`\n${files.length} files, ${failures} failed`);

function count(flags: readonly { severity: string }[], severity: string): number {
  return flags.filter((f) => f.severity === severity).length;
}
