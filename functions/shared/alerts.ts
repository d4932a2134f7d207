// Alerts: one SNS message per document that failed to parse or whose reconciliation found errors.
// Body is JSON (for programs and e-mail alike); message attributes carry kind and status so a
// subscriber can filter (e.g. only FAILED) with an SNS filter policy.
import { createHash } from "node:crypto";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { Flag, Severity } from "../../reconcile/flag.ts";
import { canonicalJson, type DocumentRecord } from "./documentItems.ts";

export type AlertKind = "document_failed" | "document_errors" | "document_partial";

export interface Alert {
  kind: AlertKind;
  docId: string;
  status: DocumentRecord["status"];
  fileName: string;
  bucket: string;
  key: string;
  department?: string;
  year?: number;
  docType?: string;
  failure?: { code: string; message: string };
  flagCounts?: Record<Severity, number>;
  /** The first error flags (capped so the message stays far below SNS's 256 KB). */
  errors?: Flag[];
  /** What the parser could not read in full (truncated pages …) when the document is partial. */
  partial?: DocumentRecord["partial"];
  /**
   * Set when the document was alerted before and a later check (an across-years re-check, a
   * re-processing) found errors that were not in that alert: `errors` are then only those.
   */
  newErrors?: { reason: "recheck" | "reprocess"; count: number };
}

export const ALERT_SETTINGS = Object.freeze({ maxFlagsInAlert: 20 });

/** Whether a stored document calls for an alert: it failed, it has reconciliation errors, or it is partial. */
export function alertDue(record: DocumentRecord): boolean {
  return record.status === "FAILED" || (record.flagCounts?.error ?? 0) > 0 || record.partial !== undefined;
}

export function alertFor(record: DocumentRecord, flags: readonly Flag[]): Alert | undefined {
  const base = {
    docId: record.docId,
    status: record.status,
    fileName: record.fileName,
    bucket: record.source.bucket,
    key: record.source.key,
    department: record.department,
    year: record.year,
    docType: record.docType,
  };
  if (record.status === "FAILED") return { ...base, kind: "document_failed", failure: record.failure };
  const errors = flags.filter((f) => f.severity === "error");
  const partial = record.partial ? { partial: record.partial } : {};
  if (errors.length === 0) return record.partial ? { ...base, kind: "document_partial", ...partial } : undefined;
  return { ...base, kind: "document_errors", flagCounts: record.flagCounts, errors: errors.slice(0, ALERT_SETTINGS.maxFlagsInAlert), ...partial };
}

/** SNS subjects must be ASCII, under 100 characters: names stay in the body. */
export function alertSubject(a: Alert): string {
  const s =
    a.kind === "document_failed"
      ? `budgetlens: document FAILED (${a.failure?.code ?? "unknown"}) ${a.docId.slice(0, 12)}`
      : a.kind === "document_partial"
        ? `budgetlens: document PARTIAL (${a.partial?.warnings.length ?? 0} parse warnings) ${a.docId.slice(0, 12)}`
      : a.newErrors
        ? `budgetlens: ${a.newErrors.count} new reconciliation errors (${a.newErrors.reason}) in ${a.docId.slice(0, 12)}`
        : `budgetlens: ${a.flagCounts?.error ?? 0} reconciliation errors in ${a.docId.slice(0, 12)}`;
  return s.replace(/[^\x20-\x7e]/g, "?").slice(0, 99);
}

/**
 * What identifies an error flag across re-checks and re-processing: the rule and what it says about
 * which figures, not where the parser drew the box (a layout fix moves boxes, not findings).
 */
export function errorKey(f: Flag): string {
  const { rule, table, row, column, expected, actual, difference, unit, message } = f;
  return createHash("sha256").update(canonicalJson({ rule, table, row, column, expected, actual, difference, unit, message })).digest("hex").slice(0, 16);
}

/** The error flags not among `alreadySent` (errorKey values), in the flags' order. */
export function newErrorFlags(flags: readonly Flag[], alreadySent: Iterable<string>): Flag[] {
  const sent = new Set(alreadySent);
  return flags.filter((f) => f.severity === "error" && !sent.has(errorKey(f)));
}

/**
 * The alert for errors found after the document's first alert: only the new ones. None when there
 * is no new error (a re-check that only drops errors, or finds the same again, is not news).
 */
export function newErrorsAlert(record: DocumentRecord, flags: readonly Flag[], alreadySent: Iterable<string>, reason: "recheck" | "reprocess"): Alert | undefined {
  if (record.status !== "COMMITTED") return undefined;
  const fresh = newErrorFlags(flags, alreadySent);
  if (fresh.length === 0) return undefined;
  const full = alertFor(record, fresh);
  return full ? { ...full, kind: "document_errors", errors: fresh.slice(0, ALERT_SETTINGS.maxFlagsInAlert), newErrors: { reason, count: fresh.length } } : undefined;
}

export class AlertPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<string | undefined> {
    const out = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: alertSubject(alert),
        Message: JSON.stringify(alert, null, 2),
        MessageAttributes: {
          kind: { DataType: "String", StringValue: alert.kind },
          status: { DataType: "String", StringValue: alert.status },
        },
      }),
    );
    return out.MessageId;
  }
}
