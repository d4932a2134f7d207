// Query: a read-only Lambda behind a Function URL with AWS_IAM auth (SigV4-signed requests only).
// Analysts' principals get lambda:InvokeFunctionUrl through the managed policy this construct makes.
import { Duration } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { bundling, functionDefaults } from "./bundling.ts";

export interface QueryProps {
  table: dynamodb.ITableV2;
  /** HMAC key of the page cursors (functions/shared/pageCursor.ts): makes them unforgeable. */
  cursorKey?: secretsmanager.ISecret;
}

/** The page-cursor key as an environment variable (a deploy-time reference, not in the template). */
export function cursorKeyEnvironment(key: secretsmanager.ISecret | undefined): Record<string, string> {
  return key ? { BUDGETLENS_CURSOR_SECRET: key.secretValue.unsafeUnwrap() } : {};
}

export const QUERY_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];

export class Query extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly url: lambda.FunctionUrl;
  readonly invokePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: QueryProps) {
    super(scope, id);
    this.fn = new nodejs.NodejsFunction(this, "Function", {
      ...functionDefaults("functions/query/handler.ts"),
      description: "budgetlens query API: documents, tables, rows, flags, amounts, comparisons",
      memorySize: 512,
      timeout: Duration.seconds(29),
      logGroup: new logs.LogGroup(this, "Logs", { retention: logs.RetentionDays.THREE_MONTHS }),
      bundling: bundling(),
      environment: { TABLE_NAME: props.table.tableName, NODE_OPTIONS: "--enable-source-maps", ...cursorKeyEnvironment(props.cursorKey) },
    });
    props.table.grant(this.fn, ...QUERY_TABLE_ACTIONS);
    this.url = this.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.invokePolicy = new iam.ManagedPolicy(this, "InvokePolicy", {
      description: "Allows calling the budgetlens query endpoint (attach to analysts' roles or users)",
      statements: [
        new iam.PolicyStatement({
          actions: ["lambda:InvokeFunctionUrl"],
          resources: [this.fn.functionArn],
          conditions: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } },
        }),
      ],
    });
  }
}
