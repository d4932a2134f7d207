// A re-check in the ingest function replaces a document's flags but cannot delete the old flag
// generation at once (readers' grace). The handler's sweeper deletes it at a later invocation of the
// same container once the grace has passed; meanwhile it is stored but never served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import { sha256Hex, type IngestDeps } from "../../functions/ingest/ingestObject.ts";
import { RetiredSweeper } from "../../functions/ingest/retiredSweeper.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import * as K from "../../functions/shared/keys.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { CheckOptions } from "../../reconcile/index.ts";
import type { Flag } from "../../reconcile/flag.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const Y2024 = synthBytes("司法局", 2024, "a", 0);
const Y2025 = synthBytes("司法局", 2025, "a", 0);
const OTHER = synthBytes("体育局", 2025, "a", 0);
const ID2025 = sha256Hex(Y2025);

function yearsCheck(doc: DisclosureDocument, opts?: CheckOptions): Flag[] {
  const flags = synthCheck(doc);
  if (opts?.previous) flags.push({ severity: "warning", rule: "years.total", table: "表3", message: "上年数不符" });
  return flags;
}

describe("retired flag generations in the ingest function", () => {
  let env: Embedded;
  let client: DynamoDBDocumentClient;
  let skewMs = 0;
  const clock = () => Date.now() + skewMs;
  const sweeper = new RetiredSweeper(clock);
  const handlerDeps: Partial<Omit<IngestDeps, "workerId">> = { parse: synthParse, check: yearsCheck, sweeper };
  const flagKeys = async () =>
    ((await client.send(new QueryCommand({ TableName: env.resources.table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": K.docPk(ID2025) } }))).Items ?? [])
      .map((i) => String(i.sk))
      .filter((sk) => sk.includes("FLAG#"));
  const ingest = async (name: string, bytes: Uint8Array) => {
    await env.upload(name, bytes);
    expect(await env.waitForIdle(60_000)).toBe(true);
  };

  beforeAll(async () => {
    env = await startEmbedded({ dataDir: null, logLevel: "SILENT", deps: handlerDeps });
    client = createDocumentClient();
    handlerDeps.store = new DocumentStore({ tableName: env.resources.table, client, retireGraceMs: 60_000, now: () => new Date(clock()) });
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it("keeps the old flags through the grace (not served), deletes them at a later invocation after it", async () => {
    await ingest("2025.pdf", Y2025);
    await ingest("2024.pdf", Y2024);
    const store = new DocumentStore({ tableName: env.resources.table, client });
    expect((await store.getMeta(ID2025))?.flagGeneration).toBe(1);
    expect(await flagKeys()).toEqual(["FLAG#00001", "G0001#FLAG#00001", "G0001#FLAG#00002"]);
    expect((await store.documentItems(ID2025, K.SK_PREFIX.flag)).map((f) => f.rule)).toEqual(["rounding", "years.total"]);
    expect(sweeper.size).toBe(1);

    await ingest("other-early.pdf", OTHER); // within the grace: nothing deleted
    expect(await flagKeys()).toHaveLength(3);

    skewMs = 61_000;
    await ingest("other-late.pdf", OTHER); // an invocation after the grace sweeps
    expect(await flagKeys()).toEqual(["G0001#FLAG#00001", "G0001#FLAG#00002"]);
    expect(sweeper.size).toBe(0);
    expect((await store.getMeta(ID2025))?.retiredAt).toBeUndefined();
  });
});
