// A document the parser could not read in full (a page truncated at the run limit) is stored but
// marked PARTIAL with the parser's warnings, and alerted even when its numbers reconcile.
import { describe, expect, it } from "vitest";
import { alertFor, alertSubject } from "../../functions/shared/alerts.ts";
import type { DocumentRecord } from "../../functions/shared/documentItems.ts";

const record = (over: Partial<DocumentRecord>): DocumentRecord =>
  ({
    pk: "DOC#x",
    sk: "META",
    entity: "Document",
    docId: "a".repeat(64),
    status: "COMMITTED",
    source: { bucket: "b", key: "incoming/x.pdf", size: 1, eventTime: "2026-01-01T00:00:00Z" },
    fileName: "x.pdf",
    bytes: 1,
    ingestedAt: "2026-01-01T00:00:00Z",
    schemaVersion: 1,
    docType: "budget",
    family: "seed11",
    flagCounts: { error: 0, warning: 0, info: 0 },
    gsi1pk: "p",
    gsi1sk: "s",
    ...over,
  }) as DocumentRecord;

describe("partial documents", () => {
  it("a clean but partial document raises a document_partial alert naming the warnings", () => {
    const partial = { warnings: [{ code: "page", message: "page 3: 50,000 text runs kept of 100,000", page: 3 }] };
    const alert = alertFor(record({ partial }), []);
    expect(alert).toMatchObject({ kind: "document_partial", partial });
    expect(alertSubject(alert!)).toMatch(/PARTIAL \(1 parse warnings\)/);
  });
  it("a clean, complete document raises no alert", () => {
    expect(alertFor(record({}), [])).toBeUndefined();
  });
});
