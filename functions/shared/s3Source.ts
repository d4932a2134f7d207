// The S3 side of ingest: which objects an SQS message announces, and their bytes.
import { GetObjectCommand, NoSuchKey, type S3Client } from "@aws-sdk/client-s3";
import type { S3Event, S3EventRecord } from "aws-lambda";
import { z } from "zod";

export const INCOMING_PREFIX = "incoming/";

export interface S3ObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  size?: number;
  eventTime: string;
}

/** The S3 notification as it arrives in an SQS message body (only the fields we use are checked). */
const S3NotificationBody = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      eventTime: z.string(),
      s3: z.object({
        bucket: z.object({ name: z.string() }),
        object: z.object({
          key: z.string(),
          size: z.number().optional(),
          eTag: z.string().optional(),
          versionId: z.string().optional(),
        }),
      }),
    }),
  ),
});

/** S3 URL-encodes keys in notifications (form encoding: spaces as '+'). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

/** The inverse, used by the embedded S3 shim to produce the event S3 would send. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}

/**
 * Objects created under incoming/ announced by one SQS message body. The `s3:TestEvent` S3 sends
 * when a notification is configured yields nothing. Anything else malformed throws (→ DLQ).
 */
export function objectsFromMessageBody(body: string, prefix: string = INCOMING_PREFIX): S3ObjectRef[] {
  const json: unknown = JSON.parse(body);
  if (typeof json === "object" && json !== null && (json as { Event?: unknown }).Event === "s3:TestEvent") return [];
  const parsed = S3NotificationBody.parse(json);
  return parsed.Records.filter((r) => r.eventName.startsWith("ObjectCreated:"))
    .map((r) => ({
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      versionId: r.s3.object.versionId,
      eTag: r.s3.object.eTag,
      size: r.s3.object.size,
      eventTime: r.eventTime,
    }))
    .filter((r) => r.key.startsWith(prefix));
}

/** Builds the notification body S3 sends for a created object (embedded shim and tests). */
export function s3NotificationBody(ref: Omit<S3ObjectRef, "eventTime"> & { eventTime?: string; region?: string }): string {
  const record: S3EventRecord = {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: ref.region ?? "us-east-1",
    eventTime: ref.eventTime ?? new Date().toISOString(),
    eventName: "ObjectCreated:Put",
    userIdentity: { principalId: "budgetlens-embedded" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": "embedded", "x-amz-id-2": "embedded" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "incoming-pdf",
      bucket: { name: ref.bucket, ownerIdentity: { principalId: "budgetlens-embedded" }, arn: `arn:aws:s3:::${ref.bucket}` },
      object: {
        key: encodeS3Key(ref.key),
        size: ref.size ?? 0,
        eTag: ref.eTag ?? "",
        ...(ref.versionId ? { versionId: ref.versionId } : {}),
        sequencer: Date.now().toString(16).toUpperCase(),
      },
    },
  };
  const event: S3Event = { Records: [record] };
  return JSON.stringify(event);
}

export interface FetchedObject {
  bytes: Uint8Array;
  versionId?: string;
}

export class S3Source {
  constructor(private readonly client: S3Client) {}

  /** The object's bytes (the announced version when versioning is on), or undefined if it is gone. */
  async fetch(ref: S3ObjectRef): Promise<FetchedObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }));
      if (!out.Body) return undefined;
      return { bytes: await out.Body.transformToByteArray(), versionId: out.VersionId };
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey" || (e as { name?: string }).name === "NoSuchVersion") return undefined;
      throw e;
    }
  }
}
