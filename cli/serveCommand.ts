// `budgetlens serve`: the web view (documents, each table beside its PDF page, flags highlighted on
// both sides, one code across departments) over the embedded data or a deployed table.
import type { Command } from "commander";
import { AnalystApi } from "../analyst/api.ts";
import { openBackend } from "../analyst/backend.ts";
import { startServer } from "../analyst/server.ts";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("web view: documents, tables beside the PDF (pdf.js), flags highlighted on both sides")
    .option("--port <port>", "port", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", "embedded data folder", ".budgetlens")
    .option("--table <name>", "deployed stack's table (default $BUDGETLENS_TABLE)")
    .option("--verbose", "log requests")
    .action(async (o: { port: string; host: string; dataDir: string; table?: string; verbose?: boolean }) => {
      const backend = await openBackend({ dataDir: o.dataDir, table: o.table, readOnly: true });
      const server = await startServer({
        api: new AnalystApi(backend.store),
        pdf: (b, k) => backend.pdf(b, k),
        port: Number(o.port),
        host: o.host,
        log: o.verbose ? (l) => process.stderr.write(l + "\n") : undefined,
      });
      process.stderr.write(`budgetlens serve: ${server.url}/  (${backend.describe()}) — Ctrl-C to stop\n`);
      const stop = async (): Promise<void> => {
        await server.close();
        await backend.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop());
      process.once("SIGTERM", () => void stop());
    });
}
