// `budgetlens export [filters] --format csv|xlsx|jsonl --out FILE`: tidy cells (one row per cell, amount
// in 元 and as printed) and the flags, of every stored document matching the filters (current filings
// only unless --include-superseded). csv/jsonl write FILE and FILE's sibling *.flags.{csv,jsonl}.
import type { Command } from "commander";
import { writeFile } from "node:fs/promises";
import type { DocumentSummary } from "../functions/query/queryService.ts";
import { getAll, getOk, openClient } from "../analyst/client.ts";
import { CELL_COLUMNS, collect, FLAG_COLUMNS, toCsv, toJsonl, toXlsx, type ExportDocument } from "../analyst/exporters.ts";
import type { DisclosureDocument } from "../parsers/model.ts";
import type { Flag } from "../reconcile/flag.ts";

export interface ExportOptions {
  department?: string;
  year?: string;
  kind?: string;
  doc?: string[];
  includeSuperseded?: boolean;
}

/** Chooses the documents and loads their models through the API. */
export async function loadForExport(client: Awaited<ReturnType<typeof openClient>>, o: ExportOptions): Promise<ExportDocument[]> {
  let ids: string[];
  if (o.doc && o.doc.length > 0) ids = o.doc;
  else {
    const docs = await getAll<DocumentSummary>(client, "/documents", { department: o.department, year: o.year, kind: o.kind });
    ids = docs.filter((d) => d.status === "COMMITTED" && (o.includeSuperseded || d.current)).map((d) => d.docId);
  }
  const out: ExportDocument[] = [];
  for (const id of ids) {
    const m = await getOk<{ model: DisclosureDocument; flags: Flag[] }>(client, `/documents/${id}/model`);
    out.push({ docId: id, model: m.model, flags: m.flags });
  }
  return out;
}

export function siblingPath(out: string, what: string): string {
  const m = /^(.*?)(\.[^./\\]+)?$/.exec(out)!;
  return `${m[1]}.${what}${m[2] ?? ""}`;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export tidy cells and flags of stored documents as CSV, XLSX (one sheet per table as printed) or JSON Lines")
    .requiredOption("--out <file>", "output file (csv/jsonl also write <file>.flags.<ext>)")
    .option("--format <format>", "csv | xlsx | jsonl", "csv")
    .option("--department <name>")
    .option("--year <year>")
    .option("--kind <kind>", "预算 | 决算")
    .option("--doc <docId...>", "these documents only")
    .option("--include-superseded", "also filings replaced by a later upload")
    .option("--data-dir <dir>", "embedded data folder", ".budgetlens")
    .option("--table <name>", "deployed stack's table (default $BUDGETLENS_TABLE)")
    .option("--api <url>", "read through a running `budgetlens serve` or a deployed API")
    .action(async (o: ExportOptions & { out: string; format: string; dataDir: string; table?: string; api?: string }) => {
      if (!["csv", "xlsx", "jsonl"].includes(o.format)) {
        process.stderr.write(`budgetlens export: unknown --format ${o.format} (csv, xlsx, jsonl)\n`);
        process.exit(2);
      }
      const client = await openClient({ dataDir: o.dataDir, table: o.table, apiUrl: o.api });
      try {
        const docs = await loadForExport(client, o);
        const { cells, flags } = collect(docs);
        if (o.format === "xlsx") await writeFile(o.out, await toXlsx(docs));
        else if (o.format === "csv") {
          await writeFile(o.out, toCsv(cells, CELL_COLUMNS));
          await writeFile(siblingPath(o.out, "flags"), toCsv(flags, FLAG_COLUMNS));
        } else {
          await writeFile(o.out, toJsonl(cells));
          await writeFile(siblingPath(o.out, "flags"), toJsonl(flags));
        }
        process.stderr.write(`budgetlens export: ${docs.length} document(s), ${cells.length} cells, ${flags.length} flags → ${o.out}${o.format === "xlsx" ? "" : ` (+ ${siblingPath(o.out, "flags")})`}\n`);
      } catch (e) {
        process.stderr.write(`budgetlens export: ${(e as Error).message}\n`);
        process.exitCode = 2;
      } finally {
        await client.close();
      }
    });
}
