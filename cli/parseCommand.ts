// `budgetlens parse FILE.pdf --format cells|json|csv`
import type { Command } from "commander";
import { toCellRecords } from "../parsers/cells.ts";
import { addLimitOptions, failAndExit, limitsOf, parseFile, type LimitOptions } from "./readPdfFile.ts";
import { cellsToCsv } from "./csv.ts";

export function registerParse(program: Command): void {
  addLimitOptions(program.command("parse").description("rebuild every table of a disclosure PDF from its text layout").argument("<file>", "PDF file"))
    .option("--format <format>", "cells (JSON lines) | json (document model) | csv (tidy cells)", "cells")
    .action(async (file: string, opts: { format: string } & LimitOptions) => {
      const doc = await parseFile(file, limitsOf(opts), opts).catch((e: unknown) => failAndExit(file, e));
      const out = process.stdout;
      if (opts.format === "json") out.write(JSON.stringify(doc, null, 2) + "\n");
      else if (opts.format === "csv") out.write(cellsToCsv(toCellRecords(doc)));
      else if (opts.format === "cells") for (const rec of toCellRecords(doc)) out.write(JSON.stringify(rec) + "\n");
      else failAndExit(file, new Error(`unknown --format ${opts.format} (cells, json, csv)`));
    });
}
