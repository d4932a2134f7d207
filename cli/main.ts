// budgetlens CLI: one program, one subcommand per job. Each command module is a thin adapter
// over the pure core (parsers/, reconcile/) or the pipeline (embedded/, functions/).
// The AWS SDK warns on every command under Node 20 (supported until 2027); the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { Command } from "commander";

type Register = (program: Command) => void;

// Each command's module is loaded only when that command runs (and all of them for help or an
// unknown word): `budgetlens parse` does not load the AWS SDK, the embedded servers or exceljs,
// which the CLI bundle keeps in separate chunks (scripts/buildCli.ts splits on these imports).
const COMMANDS: Record<string, () => Promise<Register>> = {
  parse: async () => (await import("./parseCommand.ts")).registerParse,
  check: async () => (await import("./checkCommand.ts")).registerCheck,
  ingest: async () => (await import("./ingestCommand.ts")).registerIngest,
  query: async () => (await import("./queryCommand.ts")).registerQuery,
  export: async () => (await import("./exportCommand.ts")).registerExport,
  serve: async () => (await import("./serveCommand.ts")).registerServe,
  reprocess: async () => (await import("./reprocessCommand.ts")).registerReprocess,
};

// `budgetlens parse … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const program = new Command()
  .name("budgetlens")
  .description("Chinese government budget disclosure PDFs → reconciled, queryable data")
  .showHelpAfterError();

const requested = process.argv[2];
for (const name of requested !== undefined && requested in COMMANDS ? [requested] : Object.keys(COMMANDS)) {
  (await COMMANDS[name]!())(program);
}

program
  .command("demo")
  .description("start the embedded pipeline (local S3/DynamoDB/SNS), ingest the bundled sample PDFs, print what was found and flagged")
  .option("--data-dir <dir>", "where the embedded servers keep their data", ".budgetlens")
  .action(async (opts: { dataDir: string }) => {
    const { runDemo } = await import("../embedded/demo.ts");
    await runDemo({ dataDir: opts.dataDir });
  });

await program.parseAsync(process.argv);
