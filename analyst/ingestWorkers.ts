// Embedded bulk ingest on several cores: worker processes, each running the real ingest handler
// behind its own SQS poller against the embedded servers of the parent (the parse is CPU-bound and
// single-threaded, so one process uses one core). Each worker is the CLI itself with the hidden
// `ingest-worker` command, so it works from the TypeScript sources (tsx) and from a bundle alike.
import { fork, type ChildProcess } from "node:child_process";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createIngestHandler } from "../functions/ingest/handler.ts";
import { SqsEventSource } from "../embedded/sqsEventSource.ts";

export interface WorkerPool {
  pids: number[];
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** The CLI entry to fork (default: this process's script, i.e. the running CLI). */
  entry?: string;
  execArgv?: string[];
  /** A worker reports a finished document (wakes the bulk ingest at once). */
  onDocument?: (docId: string) => void;
  /** Every outcome a worker reports (status COMMITTED / FAILED / DUPLICATE / GONE, key, docId, worker pid). */
  onOutcome?: (o: WorkerOutcome) => void;
}

/** What a worker process tells its parent about each S3 object it handled. */
export interface WorkerOutcome {
  pid: number;
  status: string;
  key: string;
  docId?: string;
}

export function startIngestWorkers(n: number, env: Record<string, string>, opts: WorkerOptions = {}): WorkerPool {
  const entry = opts.entry ?? process.argv[1];
  if (!entry) throw new Error("cannot tell which script to start as an ingest worker");
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const child = fork(entry, ["ingest-worker"], {
      env: { ...process.env, ...env },
      execArgv: opts.execArgv ?? process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (m: { docId?: string; status?: string; key?: string }) => {
      if (m.status && m.key) opts.onOutcome?.({ pid: child.pid ?? -1, status: m.status, key: m.key, docId: m.docId });
      if (m.docId) opts.onDocument?.(m.docId);
    });
    children.push(child);
  }
  return {
    pids: children.map((c) => c.pid ?? -1),
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once("exit", () => resolve());
              c.send?.({ stop: true });
              // A worker in the middle of a document finishes it first; do not wait for ever.
              setTimeout(() => c.kill("SIGTERM"), 60_000).unref();
            }),
        ),
      );
    },
  };
}

/** The worker side: poll the embedded queue with the real ingest handler until told to stop. */
export async function runIngestWorker(): Promise<void> {
  const queueUrl = process.env.BUDGETLENS_QUEUE_URL;
  const queueArn = process.env.BUDGETLENS_QUEUE_ARN;
  if (!queueUrl || !queueArn) throw new Error("ingest-worker: BUDGETLENS_QUEUE_URL/ARN not set (started by `budgetlens ingest --workers`)");
  const handler = createIngestHandler({ onOutcome: (o) => process.send?.({ docId: o.docId, status: o.status, key: o.key }) });
  // An explicit endpoint (not only AWS_ENDPOINT_URL_SQS): the SQS client otherwise derives one from
  // the local queue URL's host, which fauxqs makes up (sqs.<region>.127.0.0.1:<port>).
  const sqs = new SQSClient({ maxAttempts: 5, endpoint: process.env.AWS_ENDPOINT_URL_SQS });
  const es = new SqsEventSource({ sqs, queueUrl, queueArn, handler, batchSize: 1, retryDelaySeconds: 1 });
  es.start();
  await new Promise<void>((resolve) => {
    process.on("message", (m: { stop?: boolean }) => m.stop && resolve());
    process.once("disconnect", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await es.stop();
  process.exit(0);
}
