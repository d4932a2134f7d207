// `budgetlens check FILE.pdf [--previous OLD.pdf] --format text|jsonl`; exit 1 when errors are found.
import type { Command } from "commander";
import type { Flag } from "../reconcile/flag.ts";
import { addLimitOptions, failAndExit, limitsOf, parseFile, type LimitOptions } from "./readPdfFile.ts";

export function registerCheck(program: Command): void {
  addLimitOptions(program.command("check").description("reconcile a disclosure: totals, cross-table figures, narrative, headcount").argument("<file>", "PDF file"))
    .option("--previous <file>", "the same department's previous-year filing")
    .option("--format <format>", "text | jsonl", "text")
    .action(async (file: string, opts: { previous?: string; format: string } & LimitOptions) => {
      const doc = await parseFile(file, limitsOf(opts), opts).catch((e: unknown) => failAndExit(file, e));
      const previous = opts.previous ? await parseFile(opts.previous, limitsOf(opts), opts).catch((e: unknown) => failAndExit(opts.previous!, e)) : undefined;
      const { checkDocument } = await import("../reconcile/index.ts");
      const flags: Flag[] = checkDocument(doc, previous ? { previous } : {});
      if (opts.format === "jsonl") for (const f of flags) process.stdout.write(JSON.stringify(f) + "\n");
      else process.stdout.write(formatReport(file, flags));
      process.exitCode = flags.some((f) => f.severity === "error") ? 1 : 0;
    });
}

function formatReport(file: string, flags: readonly Flag[]): string {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of flags) counts[f.severity]++;
  const lines = [`${file}: ${counts.error} errors, ${counts.warning} warnings, ${counts.info} info`];
  const byTable = new Map<string, Flag[]>();
  for (const f of flags) {
    const key = f.table ? `${f.table} ${f.title ?? ""}`.trim() : "(document)";
    byTable.set(key, [...(byTable.get(key) ?? []), f]);
  }
  for (const [table, list] of byTable) {
    lines.push("", `■ ${table}`);
    for (const f of list) {
      const where = [f.page ? `p.${f.page}` : "", f.row?.join(" ") ?? "", f.column?.join("/") ?? ""].filter(Boolean).join(" · ");
      const nums = f.expected !== undefined ? ` expected ${f.expected}, actual ${f.actual ?? "?"}${f.difference ? ` (diff ${f.difference})` : ""}` : "";
      lines.push(`  [${f.severity}] ${f.rule} ${where}${nums}`, `      ${f.message}`);
    }
  }
  return lines.join("\n") + "\n";
}
