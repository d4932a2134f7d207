// `budgetlens reprocess [--all | --stale] [--department X] [--year Y] [--dry-run]`: re-run stored
// PDFs (fetched from the bucket, where the object is kept) through the ingest analysis after a parser
// or rules upgrade, replacing each document's items by a generation swap. Embedded by default, a
// deployed stack when BUDGETLENS_TABLE/BUDGETLENS_BUCKET are set (the parse runs in this process,
// against the stack's table and bucket; alerts go to $ALERT_TOPIC_ARN when set).
import type { Command } from "commander";
import { openBackend } from "../analyst/backend.ts";
import { renderTable } from "../analyst/textTable.ts";
import { AlertPublisher } from "../functions/shared/alerts.ts";
import { createSnsClient } from "../functions/shared/clients.ts";
import { DocumentStore } from "../functions/shared/documentStore.ts";
import { parserFromEnv, sharedParseWorkerPool } from "../functions/shared/parseInWorker.ts";
import { PARSER_VERSION } from "../functions/shared/parserVersion.ts";
import { limitsFromEnv } from "../functions/ingest/handler.ts";
import { reprocessDocuments, type ReprocessOutcome, type ReprocessSummary } from "../functions/ingest/reprocess.ts";
import { createDocumentClient } from "../functions/shared/clients.ts";

interface ReprocessCliOptions {
  all?: boolean;
  stale?: boolean;
  department?: string;
  year?: string;
  dryRun?: boolean;
  graceSeconds?: string;
  dataDir: string;
  table?: string;
  bucket?: string;
  json?: boolean;
}

export function summaryLines(s: ReprocessSummary, dryRun: boolean): string {
  const would = dryRun ? "would be " : "";
  return [
    `${s.selected} document(s) selected${dryRun ? " (dry run: nothing written)" : ""}`,
    `  ${would}reprocessed ${s.reprocessed}, unchanged ${s.unchanged}, newly failed ${s.newlyFailed}, now succeeded ${s.nowSucceeded}, still failed ${s.stillFailed}, skipped ${s.skipped}`,
    `  flags added ${s.flagsAdded}, removed ${s.flagsRemoved}; alerts ${s.alerts}; items written ${s.itemsWritten}, retired items deleted ${s.retiredItemsDeleted}; wall ${(s.wallMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

function outcomeTable(outcomes: readonly ReprocessOutcome[]): string {
  return renderTable(
    [
      { header: "department", max: 40 },
      { header: "year" },
      { header: "before" },
      { header: "result" },
      { header: "+flags", align: "right" },
      { header: "-flags", align: "right" },
      { header: "items", align: "right" },
      { header: "ms", align: "right" },
      { header: "file", max: 40 },
    ],
    outcomes.map((o) => [o.department ?? "?", o.year ?? "?", o.before, o.kind + (o.reason ? ` (${o.reason})` : ""), o.flagsAdded, o.flagsRemoved, o.itemsWritten, o.ms, o.fileName]),
  );
}

export function registerReprocess(program: Command): void {
  program
    .command("reprocess")
    .description(`re-run stored PDFs through the current parser and rules (version ${PARSER_VERSION}), replacing their items atomically`)
    .option("--all", "every stored document")
    .option("--stale", "documents stored by another parser version (the default)")
    .option("--department <name>", "only this department's documents")
    .option("--year <year>", "only this year's documents")
    .option("--dry-run", "parse and compare, write nothing, send no alert")
    .option("--grace-seconds <s>", "how long replaced items stay for readers still reading them before they are deleted", "60")
    .option("--data-dir <dir>", "embedded: where the local servers keep their data", ".budgetlens")
    .option("--table <name>", "deployed stack: DynamoDB table (default $BUDGETLENS_TABLE)")
    .option("--bucket <name>", "deployed stack: S3 bucket (default $BUDGETLENS_BUCKET)")
    .option("--json", "print one JSON line per document, then the summary as JSON")
    .action(async (opts: ReprocessCliOptions) => {
      if (opts.all && opts.stale) {
        process.stderr.write("budgetlens reprocess: --all and --stale exclude each other\n");
        process.exit(2);
      }
      const year = opts.year === undefined ? undefined : Number(opts.year);
      if (year !== undefined && !Number.isInteger(year)) {
        process.stderr.write("budgetlens reprocess: --year must be a year, e.g. 2025\n");
        process.exit(2);
      }
      const grace = Number(opts.graceSeconds);
      if (!Number.isFinite(grace) || grace < 0) {
        process.stderr.write("budgetlens reprocess: --grace-seconds must be a number ≥ 0\n");
        process.exit(2);
      }
      const backend = await openBackend({ dataDir: opts.dataDir, table: opts.table, bucket: opts.bucket, readOnly: true });
      const store = new DocumentStore({ tableName: backend.store.tableName, client: createDocumentClient(), retireGraceMs: grace * 1000 });
      const topicArn = process.env.ALERT_TOPIC_ARN;
      const sns = topicArn && !opts.dryRun ? createSnsClient() : undefined;
      const { checkDocument } = await import("../reconcile/index.ts");
      process.stderr.write(`budgetlens reprocess: ${opts.all ? "all" : "stale"} documents${opts.department ? ` of ${opts.department}` : ""}${year ? ` in ${year}` : ""} → parser ${PARSER_VERSION}; ${backend.describe()}\n`);
      try {
        const summary = await reprocessDocuments(
          { mode: opts.all ? "all" : "stale", department: opts.department, year },
          {
            store,
            source: {
              fetch: async (ref) => {
                const bytes = await backend.pdf(ref.bucket, ref.key);
                return bytes ? { bytes } : undefined;
              },
            },
            alerts: sns && topicArn ? new AlertPublisher(sns, topicArn) : undefined,
            parse: parserFromEnv(process.env),
            check: checkDocument,
            limits: limitsFromEnv(process.env),
            workerId: `reprocess:${process.pid}:${Date.now()}`,
            log: (level, message, data) => {
              if (level !== "info") process.stderr.write(`  ${level}: ${message} ${JSON.stringify(data)}\n`);
            },
          },
          {
            dryRun: opts.dryRun,
            onOutcome: (o) => {
              if (opts.json) process.stdout.write(JSON.stringify(o) + "\n");
              else process.stderr.write(`  ${o.kind}${o.reason ? ` (${o.reason})` : ""} ${o.fileName} ${o.ms} ms\n`);
            },
          },
        );
        if (opts.json) process.stdout.write(JSON.stringify({ ...summary, outcomes: undefined }) + "\n");
        else {
          if (summary.outcomes.length > 0) process.stdout.write(outcomeTable(summary.outcomes));
          process.stdout.write(summaryLines(summary, opts.dryRun === true) + "\n");
        }
      } finally {
        sns?.destroy();
        await sharedParseWorkerPool().close();
        await backend.close();
      }
    });
}
