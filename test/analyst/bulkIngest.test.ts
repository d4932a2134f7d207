// Bulk ingest bookkeeping against a fake deployed stack (no servers): uploads only new bytes,
// follows many documents with batched lookups, reports timeouts and upload errors per file.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bulkIngest, collectPdfs, CompletionHub } from "../../analyst/bulkIngest.ts";
import type { Backend } from "../../analyst/backend.ts";
import type { DocumentRecord } from "../../functions/shared/documentItems.ts";

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

function fakeStack(opts: { storedBefore?: Set<string>; processAfterPolls?: number; lose?: Set<string>; failUpload?: Set<string> } = {}) {
  const stored = new Map<string, DocumentRecord>();
  const uploaded = new Map<string, number>(); // docId → poll count when uploaded
  let polls = 0;
  let batchCalls = 0;
  const record = (docId: string): DocumentRecord =>
    ({ docId, status: "COMMITTED", pageCount: 3, department: "D", year: 2025, docType: "budget", counts: { tables: 2, rows: 5, cells: 9, flags: 1, items: 10 }, flagCounts: { error: 1, warning: 0, info: 0 } }) as unknown as DocumentRecord;
  for (const id of opts.storedBefore ?? []) stored.set(id, record(id));
  const backend = {
    mode: "aws",
    bucket: "b",
    store: {
      getMeta: async (id: string) => stored.get(id),
      getMetas: async (ids: Iterable<string>) => {
        batchCalls++;
        polls++;
        for (const [id, at] of uploaded) if (polls - at >= (opts.processAfterPolls ?? 2) && !opts.lose?.has(id)) stored.set(id, record(id));
        const out = new Map<string, DocumentRecord>();
        for (const id of ids) if (stored.has(id)) out.set(id, stored.get(id)!);
        return out;
      },
    },
    async upload(name: string, bytes: Uint8Array) {
      if (opts.failUpload?.has(sha(bytes))) throw new Error("AccessDenied");
      uploaded.set(sha(bytes), polls);
      return `incoming/${name}`;
    },
    pdf: async () => undefined,
    describe: () => "fake",
    close: async () => undefined,
  } as unknown as Backend;
  return { backend, uploaded, stats: () => ({ batchCalls }) };
}

function files(n: number): { dir: string; paths: string[]; ids: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "bl-bulk-"));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = new TextEncoder().encode(`%PDF-1.4 fake ${i}`);
    writeFileSync(join(dir, `f${String(i).padStart(3, "0")}.pdf`), bytes);
    ids.push(sha(bytes));
  }
  writeFileSync(join(dir, "notes.txt"), "not a pdf");
  return { dir, paths: collectPdfs([dir]), ids };
}

describe("bulkIngest on a deployed stack", () => {
  it("follows 150 uploads with a handful of batched lookups", async () => {
    const { paths } = files(150);
    expect(paths).toHaveLength(150);
    const stack = fakeStack({ processAfterPolls: 2 });
    const res = await bulkIngest(stack.backend, paths, new CompletionHub(), { concurrency: 8, pollMs: 5 });
    expect(res.results.every((r) => r.status === "COMMITTED" && r.tables === 2 && r.errors === 1)).toBe(true);
    expect(res.processed).toBe(150);
    expect(res.pages).toBe(450);
    expect(stack.stats().batchCalls).toBeLessThan(20);
  });

  it("skips bytes already stored (and duplicates within the run), reports lost documents and failed uploads", async () => {
    const { dir, paths, ids } = files(5);
    writeFileSync(join(dir, "copy-of-f000.pdf"), new TextEncoder().encode("%PDF-1.4 fake 0"));
    const all = collectPdfs([dir]);
    const stack = fakeStack({ storedBefore: new Set([ids[1]!]), lose: new Set([ids[2]!]), failUpload: new Set([ids[3]!]) });
    const progress: number[] = [];
    const res = await bulkIngest(stack.backend, all, new CompletionHub(), { concurrency: 1, pollMs: 5, timeoutMs: 200, onProgress: (p) => progress.push(p.done) });
    const by = new Map(res.results.map((r) => [r.file.split("/").at(-1)!, r.status]));
    expect(by.get("f001.pdf")).toBe("SKIPPED");
    expect(by.get("f002.pdf")).toBe("TIMEOUT");
    expect(by.get("f003.pdf")).toBe("UPLOAD_ERROR");
    expect(by.get("f004.pdf")).toBe("COMMITTED");
    // The copy has the bytes of f000: one of the two is skipped, never uploaded twice.
    expect([by.get("copy-of-f000.pdf"), by.get("f000.pdf")].sort()).toEqual(["COMMITTED", "SKIPPED"]);
    expect(stack.uploaded.size).toBe(3);
    expect(progress.at(-1)).toBe(all.length);
    expect(paths).toHaveLength(5);
  });
});
