// budgetlens CLI: one program, one subcommand per job. Each command module is a thin adapter
// over the pure core (parsers/, reconcile/) or the pipeline (embedded/, functions/).
// The AWS SDK warns on every command under Node 20 (supported until 2027); the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { Command } from "commander";
import { registerParse } from "./parseCommand.ts";
import { registerCheck } from "./checkCommand.ts";
import { registerIngest } from "./ingestCommand.ts";
import { registerQuery } from "./queryCommand.ts";
import { registerExport } from "./exportCommand.ts";
import { registerServe } from "./serveCommand.ts";
import { registerReprocess } from "./reprocessCommand.ts";

// `budgetlens parse … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const program = new Command()
  .name("budgetlens")
  .description("Chinese government budget disclosure PDFs → reconciled, queryable data")
  .showHelpAfterError();

registerParse(program);
registerCheck(program);
registerIngest(program);
registerQuery(program);
registerExport(program);
registerServe(program);
registerReprocess(program);

program
  .command("demo")
  .description("start the embedded pipeline (local S3/DynamoDB/SNS), ingest the bundled sample PDFs, print what was found and flagged")
  .option("--data-dir <dir>", "where the embedded servers keep their data", ".budgetlens")
  .action(async (opts: { dataDir: string }) => {
    const { runDemo } = await import("../embedded/demo.ts");
    await runDemo({ dataDir: opts.dataDir });
  });

await program.parseAsync(process.argv);
