// A fault-injecting HTTP proxy placed between the SDK clients and a local server. Requests pass
// through unchanged unless the rule says otherwise, so the SDK's real wire handling (error
// parsing, throttling detection, retries, adaptive back-off) decides what happens, not a mock.
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** DynamoDB's JSON protocol names the operation in X-Amz-Target ("DynamoDB_20120810.BatchWriteItem" → "BatchWriteItem"). */
  operation?: string;
}

/** What to do with one request: forward it, answer it without forwarding, or cut the connection. */
export type FaultAction = "forward" | "reset" | { status: number; body: string; headers?: Record<string, string> };

export interface FaultProxy {
  endpoint: string;
  /** Requests seen, by operation (or path), and how many were faulted. */
  seen: Map<string, number>;
  faulted: Map<string, number>;
  setRule(rule: (req: ProxiedRequest) => FaultAction): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  let rule: (req: ProxiedRequest) => FaultAction = () => "forward";
  const seen = new Map<string, number>();
  const faulted = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const p: ProxiedRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks), operation: target.split(".").at(-1) || undefined };
      const key = p.operation ?? p.path;
      bump(seen, key);
      const action = rule(p);
      if (action === "reset") {
        bump(faulted, key);
        req.socket.destroy();
        return;
      }
      if (action !== "forward") {
        bump(faulted, key);
        res.writeHead(action.status, { "content-type": "application/x-amz-json-1.0", ...action.headers });
        res.end(action.body);
        return;
      }
      const upstream = request(
        { host: to.hostname, port: to.port, method: p.method, path: p.path, headers: { ...req.headers, host: to.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => req.socket.destroy());
      upstream.end(p.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    faulted,
    setRule: (r) => (rule = r),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** DynamoDB's answer when a table's write capacity is exceeded (the SDK classifies it as throttling). */
export const DYNAMODB_THROTTLED: FaultAction = {
  status: 400,
  body: JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", message: "The level of configured provisioned throughput for the table was exceeded." }),
};

/** BatchWriteItem answered with every request unprocessed, as DynamoDB does under partition throttling. */
export function allUnprocessed(req: ProxiedRequest): FaultAction {
  const input = JSON.parse(req.body.toString("utf8")) as { RequestItems: Record<string, unknown[]> };
  return { status: 200, body: JSON.stringify({ UnprocessedItems: input.RequestItems }) };
}
