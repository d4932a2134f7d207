// A district's filings arrive in any order. The across-years checks (years.*) of a filing need its
// previous year's filing; when that one is stored later, the later filing is re-checked and its
// flags replaced. Ingesting 2024 then 2025 and 2025 then 2024 must leave the same stored flags.
// Real parser and checker, embedded servers, the health fixtures (same department, two years).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { startEmbedded } from "../../embedded/startEmbedded.ts";
import { sha256Hex } from "../../functions/ingest/ingestObject.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { itemsToDocument, type DocumentRecord } from "../../functions/shared/documentItems.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import type { Flag } from "../../reconcile/flag.ts";

const fixtures = resolve(import.meta.dirname, "../../fixtures/pdf");
const Y2024 = new Uint8Array(readFileSync(join(fixtures, "health-2024.pdf")));
const Y2025 = new Uint8Array(readFileSync(join(fixtures, "health-2025.pdf")));
const ID2025 = sha256Hex(Y2025);

interface Stored {
  meta: DocumentRecord;
  flags: Flag[];
}

/** Ingests the two filings one after the other in the given order; returns the 2025 filing's stored state after each step. */
async function ingestInOrder(first: Uint8Array, second: Uint8Array): Promise<{ afterFirst?: Stored; afterBoth: Stored }> {
  const env = await startEmbedded({ dataDir: null, logLevel: "SILENT" });
  try {
    const store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient() });
    const read = async (): Promise<Stored | undefined> => {
      const meta = await store.getMeta(ID2025);
      return meta ? { meta, flags: itemsToDocument(meta, await store.documentItems(ID2025)).flags } : undefined;
    };
    await env.upload("first.pdf", first);
    expect(await env.waitForIdle(180_000)).toBe(true);
    const afterFirst = await read();
    await env.upload("second.pdf", second);
    expect(await env.waitForIdle(180_000)).toBe(true);
    return { afterFirst, afterBoth: (await read())! };
  } finally {
    await env.stop();
  }
}

const yearsFlags = (flags: Flag[]) => flags.filter((f) => f.rule.startsWith("years."));

describe("across-years checks do not depend on the order filings arrive in", () => {
  it("2025 stored before 2024 is re-checked when 2024 arrives: the same flags as in year order", async () => {
    const inOrder = await ingestInOrder(Y2024, Y2025);
    const reversed = await ingestInOrder(Y2025, Y2024);

    // In year order the 2025 filing was checked against 2024 at once.
    expect(yearsFlags(inOrder.afterBoth.flags).length).toBeGreaterThan(0);
    expect(inOrder.afterBoth.meta.recheckedAt).toBeUndefined();
    // Reversed: first checked alone (no years.* flags), then re-checked when 2024 arrived.
    expect(yearsFlags(reversed.afterFirst!.flags)).toEqual([]);
    expect(reversed.afterBoth.meta.recheckedAt).toBeDefined();

    expect(reversed.afterBoth.flags).toEqual(inOrder.afterBoth.flags);
    expect(reversed.afterBoth.meta.flagCounts).toEqual(inOrder.afterBoth.meta.flagCounts);
    expect(reversed.afterBoth.meta.counts).toEqual(inOrder.afterBoth.meta.counts);
  }, 600_000);
});
