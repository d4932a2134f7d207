// CDK app entry (cdk.json: `npx tsx infra/app.ts`). Synthesizes offline; cdk-nag AwsSolutions checks
// run on every synth and fail it on an unsuppressed finding (suppressions carry their reasons).
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { BudgetlensStack } from "./stack.ts";

export function buildApp(app: App = new App()): { app: App; stack: BudgetlensStack } {
  const stack = new BudgetlensStack(app, app.node.tryGetContext("stackName") ?? "Budgetlens", {
    alertEmail: app.node.tryGetContext("alertEmail"),
    retainData: app.node.tryGetContext("retainData") !== "false",
    authDomainPrefix: app.node.tryGetContext("authDomainPrefix"),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  buildApp().app.synth();
}
