// An upload over PdfLimits.maxBytes must be refused from the S3 event's object size, before its
// bytes are downloaded: the Lambda has 2 GB of memory, so downloading a multi-GB upload to then
// say "too_large" would kill the function instead (retries → DLQ, no FAILED record, no alert).
// Fake source and store, no servers: only the decision is under test.
import { describe, expect, it } from "vitest";
import { ingestObject, type IngestDeps } from "../../functions/ingest/ingestObject.ts";
import type { DocumentStore } from "../../functions/shared/documentStore.ts";
import type { DocumentRecord } from "../../functions/shared/documentItems.ts";
import { DEFAULT_PDF_LIMITS } from "../../parsers/pdf/limits.ts";

describe("oversized uploads", () => {
  it("an object whose event size is over maxBytes ends FAILED too_large without being downloaded", async () => {
    const committed: DocumentRecord[] = [];
    let downloads = 0;
    const store = {
      getMeta: async () => undefined,
      acquireLease: async () => true,
      releaseLease: async () => undefined,
      deleteUncommittedBody: async () => 0,
      commit: async (r: DocumentRecord) => (committed.push(r), true),
      applySeries: async (r: DocumentRecord) => ({ current: r.docId }),
      markAlerted: async () => undefined,
    } as unknown as DocumentStore;
    const deps: IngestDeps = {
      source: {
        fetch: async () => {
          downloads++;
          throw new Error("the 3 GB body was downloaded into the function's memory");
        },
      },
      store,
      parse: async () => {
        throw new Error("parse must not run");
      },
      check: () => [],
      workerId: "test",
    };
    const size = 3 * 1024 ** 3;
    expect(size).toBeGreaterThan(DEFAULT_PDF_LIMITS.maxBytes);
    const outcome = await ingestObject({ bucket: "b", key: "incoming/huge.pdf", size, eTag: "abc", eventTime: new Date().toISOString() }, deps).catch((e: Error) => ({ status: `threw: ${e.message}` }));
    expect(outcome.status).toBe("FAILED");
    expect(downloads).toBe(0);
    expect(committed[0]?.failure?.code).toBe("too_large");
  });
});
