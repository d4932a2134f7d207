// Local stand-ins for the AWS services, in this process, on free ports of 127.0.0.1:
//   DynamoDB — dynalite (LevelDB on disk, or memory)      S3 — s3rver (files on disk)
//   SQS + SNS — fauxqs (memory)
// Each returns its endpoint and a stop function. The AWS SDK reaches them through
// AWS_ENDPOINT_URL_<SERVICE>; see environment.ts.
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { mkdirSync } from "node:fs";
import type { S3EventRecord } from "aws-lambda";

const require = createRequire(import.meta.url);

export interface LocalServer {
  endpoint: string;
  stop(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** dynalite: DynamoDB API (no transactions, PartiQL or TTL — the data layer needs none of them). */
export async function startDynalite(opts: { path?: string } = {}): Promise<LocalServer> {
  const dynalite = require("dynalite") as (o: Record<string, unknown>) => Server;
  if (opts.path) mkdirSync(opts.path, { recursive: true });
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await closeServer(server);
      // dynalite keeps its LevelDB open until the server's close handler finished.
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}

export interface S3rverHandle extends LocalServer {
  /** Registers a listener for object-created events (s3rver emits S3-notification-shaped records). */
  onObjectCreated(listener: (record: S3EventRecord) => void): void;
}

/** s3rver: S3 API on a folder. Credentials S3RVER / S3RVER. */
export async function startS3rver(opts: { directory: string; buckets?: string[] }): Promise<S3rverHandle> {
  const S3rver = require("s3rver") as new (o: Record<string, unknown>) => {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    on(event: "event", listener: (e: { Records: S3EventRecord[] }) => void): void;
  };
  mkdirSync(opts.directory, { recursive: true });
  const s3 = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: opts.directory,
    configureBuckets: (opts.buckets ?? []).map((name) => ({ name })),
  });
  const address = await s3.run();
  const listeners: ((r: S3EventRecord) => void)[] = [];
  s3.on("event", (e) => {
    for (const r of e.Records) if (r.eventName.startsWith("ObjectCreated:")) for (const l of listeners) l(r);
  });
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    onObjectCreated: (l) => listeners.push(l),
    stop: () => s3.close(),
  };
}

export interface FauxqsHandle extends LocalServer {
  server: import("fauxqs").FauxqsServer;
}

/** fauxqs: SQS and SNS (SNS → SQS fan-out, redrive to a DLQ after maxReceiveCount), in memory. */
export async function startFauxqs(): Promise<FauxqsHandle> {
  const { startFauxqs } = await import("fauxqs");
  const server = await startFauxqs({ port: 0, logger: false, host: "127.0.0.1" });
  return { endpoint: `http://127.0.0.1:${server.port}`, server, stop: () => server.stop() };
}
