// Pure pieces of the pipeline: S3 event parsing, key ordering, failure classification, alerts.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeS3Key, encodeS3Key, objectsFromMessageBody, s3NotificationBody } from "../../functions/shared/s3Source.ts";
import { alertFor, alertSubject } from "../../functions/shared/alerts.ts";
import { failureOf, notADisclosure } from "../../functions/ingest/ingestObject.ts";
import { documentBodyItems, failedRecord } from "../../functions/shared/documentItems.ts";
import * as K from "../../functions/shared/keys.ts";
import { backoffDelay } from "../../functions/shared/retry.ts";
import { PdfError } from "../../parsers/pdf/errors.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

describe("S3 notifications", () => {
  it("decodes keys as S3 encodes them (spaces as +, UTF-8 percent-encoded)", () => {
    expect(decodeS3Key("incoming/2025%E5%B9%B4+%E9%A2%84%E7%AE%97.pdf")).toBe("incoming/2025年 预算.pdf");
    fc.assert(fc.property(fc.string({ unit: "grapheme", minLength: 1 }), (name) => decodeS3Key(encodeS3Key(`incoming/${name}`)) === `incoming/${name}`));
  });

  it("yields the created objects under incoming/ and nothing for test events, removals or other prefixes", () => {
    const body = s3NotificationBody({ bucket: "b", key: "incoming/上海 1+1.pdf", size: 10, versionId: "v1", eventTime: "2025-01-01T00:00:00.000Z" });
    expect(objectsFromMessageBody(body)).toEqual([{ bucket: "b", key: "incoming/上海 1+1.pdf", versionId: "v1", eTag: "", size: 10, eventTime: "2025-01-01T00:00:00.000Z" }]);
    expect(objectsFromMessageBody(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent" }))).toEqual([]);
    expect(objectsFromMessageBody(s3NotificationBody({ bucket: "b", key: "exports/x.pdf" }))).toEqual([]);
    const removed = JSON.parse(body) as { Records: { eventName: string }[] };
    removed.Records[0]!.eventName = "ObjectRemoved:Delete";
    expect(objectsFromMessageBody(JSON.stringify(removed))).toEqual([]);
    expect(() => objectsFromMessageBody('{"Records":[{"nope":1}]}')).toThrow();
  });
});

describe("keys", () => {
  it("sort rows, flags and chunks numerically and keep separators out of free-text parts", () => {
    expect(K.rowSk("t01", 2) < K.rowSk("t01", 10)).toBe(true);
    expect(K.rowSk("t01", 9, 1) > K.rowSk("t01", 9)).toBe(true);
    expect(K.rowSk("t01", 9, 1) < K.rowSk("t01", 10)).toBe(true);
    expect(K.flagSk(9) < K.flagSk(10)).toBe(true);
    expect(K.deptGsi1Pk("A#B")).toBe("DEPT#A＃B");
    expect(K.yearDeptPrefix(2024, "财政局")).toBe("2024#财政局#");
    expect(K.yearDeptPrefix(undefined, "财政局")).toBeUndefined();
  });

  it("give every body item of a document a distinct sort key", async () => {
    const doc = await synthParse(synthBytes("财政局", 2024, "a", 3), { fileName: "x.pdf" });
    const items = documentBodyItems(doc, synthCheck(doc));
    expect(new Set(items.map((i) => i.sk)).size).toBe(items.length);
    expect(items.every((i) => i.pk === K.docPk(doc.source.sha256))).toBe(true);
  });
});

describe("failure classification", () => {
  it("maps typed parser errors to their codes and anything else to parse_error", () => {
    expect(failureOf(new PdfError("encrypted", "password protected"))).toEqual({ code: "encrypted", message: "password protected" });
    expect(failureOf(new PdfError("no_text_layer", "scanned")).code).toBe("no_text_layer");
    expect(failureOf(Object.assign(new Error("no budget tables"), { name: "NotADisclosureError", code: "not_budget" })).code).toBe("not_budget");
    expect(failureOf(new TypeError("boom")).code).toBe("parse_error");
  });

  it("treats a document with no table and no type as not a disclosure", async () => {
    const doc = await synthParse(synthBytes("财政局", 2024), { fileName: "x.pdf" });
    expect(notADisclosure(doc)).toBeUndefined();
    expect(notADisclosure({ ...doc, tables: [], meta: { ...doc.meta, docType: "unknown" } })?.code).toBe("not_budget");
  });
});

describe("alerts", () => {
  it("alert on failure and on errors only, with an ASCII subject under 100 characters", async () => {
    const failed = failedRecord("a".repeat(64), { bucket: "b", key: "incoming/坏.pdf", eventTime: "t" }, "坏.pdf", 3, "t", { code: "corrupt", message: "damaged" });
    const a = alertFor(failed, []);
    expect(a?.kind).toBe("document_failed");
    expect(alertSubject(a!)).toMatch(/^[\x20-\x7e]{1,99}$/);
    const doc = await synthParse(synthBytes("财政局", 2024, "a", 30), { fileName: "x.pdf" });
    const flags = synthCheck(doc);
    const committed = { ...failed, status: "COMMITTED" as const, failure: undefined, flagCounts: { error: 30, warning: 0, info: 1 } };
    expect(alertFor(committed, flags)?.errors).toHaveLength(20);
    expect(alertFor(committed, flags.filter((f) => f.severity !== "error"))).toBeUndefined();
  });
});

describe("backoff", () => {
  it("grows exponentially with full jitter and stays under the cap", () => {
    const s = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 5000 };
    expect(backoffDelay(1, s, () => 0.999)).toBe(99);
    expect(backoffDelay(3, s, () => 0.999)).toBe(399);
    expect(backoffDelay(20, s, () => 0.999)).toBe(4995);
    expect(backoffDelay(5, s, () => 0)).toBe(0);
  });
});
