// `npm run load`: a bulk load through the embedded pipeline — N PDFs (default 1,000: the fixtures
// repeated, each copy with a different trailing comment so every SHA-256 differs) uploaded to local
// S3, delivered by S3 → SQS to the real ingest handler at the embedded default concurrency (one
// poller, batches of 5), stored in local DynamoDB. Prints documents/min, failures, DynamoDB items
// and write units per document, and a cost model for AWS (on-demand prices stated as assumptions).
//
//   npx tsx scripts/load.ts [--count 1000] [--fixtures a.pdf,b.pdf] [--upload-concurrency 8] [--max-minutes 240]
//
// Write units: every DynamoDB request gets ReturnConsumedCapacity=TOTAL (a client middleware), so
// the table's units are what dynalite computes (AWS rules: 1 WRU per started KB of item, the
// larger of old/new item for updates). dynalite does not count GSI writes; AWS bills them: for each
// put, every ALL-projected GSI whose key the item carries costs the same units again (added here
// from the item's size). Updates/deletes touching GSIs are not added (an underestimate, noted).
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startEmbedded } from "../embedded/startEmbedded.ts";
import type { IngestOutcome } from "../functions/ingest/ingestObject.ts";
import { createDocumentClient } from "../functions/shared/clients.ts";
import { DocumentStore } from "../functions/shared/documentStore.ts";
import { GLOBAL_INDEXES } from "../functions/shared/tableSchema.ts";
import { REPO_ROOT } from "../test/hostile/childRunner.ts";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const COUNT = Number(opt("--count", "1000"));
/** Stop waiting after this long and report what was processed (the rest of the queue is abandoned). */
const MAX_MINUTES = Number(opt("--max-minutes", "240"));
const UPLOAD_CONCURRENCY = Number(opt("--upload-concurrency", "8"));
const FIXTURE_DIR = path.join(REPO_ROOT, "fixtures", "pdf");
const FIXTURES = opt("--fixtures", "")
  ? opt("--fixtures", "").split(",").map((f) => path.resolve(f))
  : readdirSync(FIXTURE_DIR)
      .filter((f) => f.endsWith(".pdf"))
      .sort()
      .map((f) => path.join(FIXTURE_DIR, f));

/** On-demand prices, us-east-1, as published in 2025 — assumptions, check the current price list. */
const PRICES = {
  dynamoWriteRequestUnit: 0.625 / 1e6,
  dynamoReadRequestUnit: 0.125 / 1e6,
  dynamoStorageGbMonth: 0.25,
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  lambdaMemoryGb: 2,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3StorageGbMonth: 0.023,
  sqsRequest: 0.4 / 1e6,
  snsPublish: 0.5 / 1e6,
};

interface Capacity {
  requests: Map<string, number>;
  tableWrite: number;
  tableRead: number;
  gsiWriteEstimate: number;
}

const AV_KEYS = new Set(["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"]);

/** Approximate DynamoDB item size (attribute names + values), as AWS sizes items for capacity. Takes marshalled or plain items. */
function itemSize(item: Record<string, unknown>): number {
  const value = (v: unknown): number => {
    if (v === null || v === undefined || typeof v === "boolean") return 1;
    if (typeof v === "string") return Buffer.byteLength(v);
    if (typeof v === "number" || typeof v === "bigint") return Math.ceil(String(v).replace(/^-|\.|^0+/g, "").length / 2) + 1;
    if (v instanceof Uint8Array) return v.length;
    if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + value(x), 0);
    if (v instanceof Set) return [...v].reduce((n: number, x) => n + value(x), 0);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && AV_KEYS.has(keys[0]!)) {
      const av = o as unknown as AttributeValue;
      if (av.N !== undefined) return Math.ceil(av.N.replace(/^-|\.|^0+/g, "").length / 2) + 1;
      if (av.M) return 3 + Object.entries(av.M).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k) + value(x), 0);
      return value(Object.values(o)[0]);
    }
    return 3 + Object.entries(o).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k) + value(x), 0);
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + value(v), 0);
}

function gsiUnits(item: Record<string, unknown>): number {
  const units = Math.max(1, Math.ceil(itemSize(item) / 1024));
  return GLOBAL_INDEXES.filter((g) => item[g.partitionKey] !== undefined && item[g.sortKey] !== undefined).length * units;
}

function instrument(client: DynamoDBDocumentClient, cap: Capacity): void {
  client.middlewareStack.add(
    (next, context) => async (a) => {
      const input = a.input as Record<string, unknown>;
      const cmd = context.commandName ?? "?";
      cap.requests.set(cmd, (cap.requests.get(cmd) ?? 0) + 1);
      if (/Put|Update|Delete|BatchWrite|Get|Query|Scan|BatchGet/.test(cmd)) input.ReturnConsumedCapacity = "TOTAL";
      if (cmd === "PutItemCommand") cap.gsiWriteEstimate += gsiUnits(input.Item as Record<string, unknown>);
      if (cmd === "BatchWriteItemCommand") {
        for (const reqs of Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>)) {
          for (const r of reqs) if (r.PutRequest) cap.gsiWriteEstimate += gsiUnits(r.PutRequest.Item);
        }
      }
      const out = await next(a);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      if (/Put|Update|Delete|BatchWrite/.test(cmd)) cap.tableWrite += units;
      else cap.tableRead += units;
      return out;
    },
    { step: "serialize", priority: "high", name: "budgetlensLoadCapacity" },
  );
}

/** The same PDF with a trailing comment after %%EOF: different bytes and SHA-256, same content. */
function variant(base: Buffer, i: number): Uint8Array {
  return new Uint8Array(Buffer.concat([base, Buffer.from(`\n%budgetlens-load copy ${i} ${Date.now().toString(36)}\n`)]));
}

async function countItems(client: DynamoDBDocumentClient, table: string): Promise<{ items: number; bytes: number }> {
  let items = 0;
  let bytes = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const it of out.Items ?? []) {
      items++;
      bytes += itemSize(it);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { items, bytes };
}

async function main(): Promise<void> {
  const cap: Capacity = { requests: new Map(), tableWrite: 0, tableRead: 0, gsiWriteEstimate: 0 };
  const outcomes: IngestOutcome[] = [];
  const handlerErrors: string[] = [];
  let store: DocumentStore | undefined;
  let client: DynamoDBDocumentClient | undefined;
  const env = await startEmbedded({
    dataDir: null,
    logLevel: "SILENT",
    onOutcome: (o) => outcomes.push(o),
    onError: (e) => handlerErrors.push(String((e as Error)?.message ?? e).slice(0, 200)),
    // The real store, on a client that records consumed capacity (created once the env is set).
    deps: {
      get store() {
        if (!store) {
          client = createDocumentClient();
          instrument(client, cap);
          store = new DocumentStore({ tableName: process.env.TABLE_NAME!, client });
        }
        return store;
      },
    },
  });
  const bases = FIXTURES.map((f) => ({ name: path.basename(f, ".pdf"), bytes: readFileSync(f) }));
  const t0 = performance.now();
  const progress = setInterval(() => {
    const min = (performance.now() - t0) / 60_000;
    process.stderr.write(`  ${outcomes.length}/${COUNT} processed, ${(outcomes.length / min).toFixed(1)} docs/min\n`);
  }, 15_000);
  try {
    // Upload with a small pool; processing starts as soon as the first notification arrives.
    let next = 0;
    await Promise.all(
      Array.from({ length: UPLOAD_CONCURRENCY }, async () => {
        while (next < COUNT) {
          const i = next++;
          const b = bases[i % bases.length]!;
          await env.upload(`load/${String(i).padStart(5, "0")}-${b.name}.pdf`, variant(b.bytes, i));
        }
      }),
    );
    const uploadedMs = performance.now() - t0;
    const idle = await env.waitForIdle(MAX_MINUTES * 60_000 - (performance.now() - t0));
    const wallMs = performance.now() - t0;
    clearInterval(progress);
    const alerts = await env.drainAlerts();
    const dlq = await env.dlqDepth();
    const items = await countItems(createDocumentClient(), env.resources.table); // uninstrumented: the count is not the pipeline's cost

    const by = (s: string) => outcomes.filter((o) => o.status === s).length;
    const committed = by("COMMITTED");
    const failed = outcomes.filter((o) => o.status === "FAILED");
    const parseMs = outcomes.map((o) => o.timings.parseMs).sort((a, b) => a - b);
    const totalMs = outcomes.map((o) => o.timings.totalMs);
    const pct = (p: number) => parseMs[Math.min(parseMs.length - 1, Math.floor(p * parseMs.length))] ?? 0;
    const n = outcomes.length || 1;
    const wruTable = cap.tableWrite / n;
    const wruGsi = cap.gsiWriteEstimate / n;
    const rru = cap.tableRead / n;
    const itemsPerDoc = items.items / n;
    const bytesPerDoc = items.bytes / n;
    const meanTotalS = totalMs.reduce((a, b) => a + b, 0) / n / 1000;
    const avgPdfBytes = bases.reduce((a, b) => a + b.bytes.length, 0) / bases.length;

    console.log(`budgetlens load — ${COUNT} PDFs (${bases.length} fixtures repeated, trailing comment varies the bytes), embedded pipeline, node ${process.version}, ${cpus().length} CPUs`);
    console.log(`  concurrency: embedded default (one SQS poller, batch size 5, records of a batch processed concurrently in one process)`);
    console.log(`  wall ${(wallMs / 1000).toFixed(1)} s (uploads done at ${(uploadedMs / 1000).toFixed(1)} s), idle=${idle}${idle ? "" : ` — STOPPED at --max-minutes ${MAX_MINUTES}: ${COUNT - outcomes.length} documents still queued, not processed`}`);
    console.log(`  throughput ${(outcomes.length / (wallMs / 60_000)).toFixed(1)} documents/min`);
    console.log(`  outcomes: ${outcomes.length} (COMMITTED ${committed}, FAILED ${failed.length}, DUPLICATE ${by("DUPLICATE")}, GONE ${by("GONE")}); handler errors (retried) ${handlerErrors.length}; DLQ ${dlq}; alerts ${alerts.length}`);
    for (const f of failed.slice(0, 5)) console.log(`    FAILED ${f.key}: ${f.failure?.code} ${f.failure?.message?.slice(0, 120)}`);
    for (const e of handlerErrors.slice(0, 5)) console.log(`    handler error: ${e}`);
    console.log(`  parse time per document: p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${parseMs.at(-1)} ms; mean ingest total ${meanTotalS.toFixed(2)} s`);
    console.log(`  DynamoDB: ${items.items} items (${itemsPerDoc.toFixed(1)} per document, ${(bytesPerDoc / 1024).toFixed(1)} KB per document)`);
    console.log(`  write units per document: table ${wruTable.toFixed(1)} + GSI (estimated, puts only) ${wruGsi.toFixed(1)} = ${(wruTable + wruGsi).toFixed(1)} WRU; read units ${rru.toFixed(1)} RRU`);
    console.log(`  requests: ${[...cap.requests.entries()].map(([k, v]) => `${k.replace("Command", "")} ${v}`).join(", ")}`);

    const per1000 = {
      dynamoWrites: (wruTable + wruGsi) * 1000 * PRICES.dynamoWriteRequestUnit,
      dynamoReads: rru * 1000 * PRICES.dynamoReadRequestUnit,
      dynamoStorageMonth: ((bytesPerDoc * 1000 * (1 + GLOBAL_INDEXES.length * 0.5)) / 1024 ** 3) * PRICES.dynamoStorageGbMonth,
      lambda: 1000 * (meanTotalS * PRICES.lambdaMemoryGb * PRICES.lambdaArmGbSecond) + (1000 / 5) * PRICES.lambdaRequest,
      s3: 1000 * (PRICES.s3Put + PRICES.s3Get) + ((avgPdfBytes * 1000) / 1024 ** 3) * PRICES.s3StorageGbMonth,
      sqsSns: 1000 * 3 * PRICES.sqsRequest + alerts.length * (1000 / n) * PRICES.snsPublish,
    };
    const total = Object.values(per1000).reduce((a, b) => a + b, 0);
    console.log(`\n  Cost model, dollars per 1,000 filings (ASSUMPTIONS: AWS on-demand, us-east-1, 2025 list prices — DynamoDB $0.625/M WRU, $0.125/M RRU,`);
    console.log(`  $0.25/GB-month; Lambda arm64 $0.0000133334/GB-s at ${PRICES.lambdaMemoryGb} GB for the measured mean ingest time on THIS machine, $0.20/M invocations`);
    console.log(`  of 5 records; S3 $0.005/1k PUT, $0.0004/1k GET, $0.023/GB-month; SQS $0.40/M requests (3 per message); SNS $0.50/M publishes;`);
    console.log(`  storage shown for one month, GSI storage counted as half the base item size per index):`);
    for (const [k, v] of Object.entries(per1000)) console.log(`    ${k.padEnd(20)} $${v.toFixed(4)}`);
    console.log(`    ${"total".padEnd(20)} $${total.toFixed(4)} per 1,000 filings`);
  } finally {
    clearInterval(progress);
    await env.stop();
  }
  process.exit(0);
}

await main();
