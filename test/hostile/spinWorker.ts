// Test-only parse-worker entry (same protocol as functions/shared/parseWorker.ts) whose parse
// never yields: it reports page 1, then spins in a synchronous loop forever. Whether a real input
// starves pdfjs's own page timer depends on where pdfjs happens to yield (a font load, a streamed
// operator-list chunk), so the hard kill is also tested against a worker that certainly never does.
import { parentPort } from "node:worker_threads";
import type { FromWorker, ToWorker } from "../../functions/shared/parseProtocol.ts";

const port = parentPort!;
port.on("message", (m: ToWorker) => {
  if (m.type !== "parse") return;
  port.postMessage({ type: "page", id: m.id, n: 1, count: 3 } satisfies FromWorker);
  let x = 0;
  for (;;) x = (x + 1) % 1_000_003;
});
port.postMessage({ type: "ready" } satisfies FromWorker);
