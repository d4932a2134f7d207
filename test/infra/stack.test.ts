// The CDK stack: `npx cdk synth` (offline, local esbuild, cdk-nag AwsSolutions as a validation
// plugin) must pass; Template assertions for every resource and permission the pipeline relies on;
// the synthesized Lambda bundles run — the ingest asset, pdfjs assets included, ingests a sample PDF
// against the embedded servers.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as s3 from "aws-cdk-lib/aws-s3";
import { AwsSolutionsChecks } from "cdk-nag";
import { INGEST_TABLE_ACTIONS } from "../../infra/constructs/ingest.ts";
import { QUERY_TABLE_ACTIONS } from "../../infra/constructs/query.ts";
import { GLOBAL_INDEXES } from "../../functions/shared/tableSchema.ts";
import { s3NotificationBody } from "../../functions/shared/s3Source.ts";
import { startEmbedded } from "../../embedded/startEmbedded.ts";
import { samplePdfs } from "../../embedded/demo.ts";

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, "..", "..");
// Inside the repo so the bundles' external @aws-sdk/* imports resolve from node_modules when run here.
mkdirSync(join(repoRoot, "test-output"), { recursive: true });
const outDir = mkdtempSync(join(repoRoot, "test-output", "cdk-"));

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
let template: Template;
let resources: Resources;
let report: { pluginReports: { pluginName: string; conclusion: string; violations: unknown[]; suppressedViolations: { ruleName: string; acknowledgedId?: string; reason?: string }[] }[] };

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionWithEnv = (name: string) => ofType("AWS::Lambda::Function").find(([, r]) => JSON.stringify(r.Properties.Environment ?? {}).includes(name))!;
/** Every action a role's inline policies grant, with the statements' resources. */
function statementsOf(functionLogicalId: string): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const fn = resources[functionLogicalId]!;
  const roleRef = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return ofType("AWS::IAM::Policy")
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Effect: string }[] }).Statement);
}
const actionsOf = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

beforeAll(async () => {
  await run("npx", ["cdk", "synth", "--quiet", "--no-notices", "--no-version-reporting", "-o", outDir], {
    cwd: repoRoot,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: "true", CDK_DISABLE_CLI_TELEMETRY: "true" },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 280_000,
  });
  const json = JSON.parse(readFileSync(join(outDir, "Budgetlens.template.json"), "utf8"));
  template = Template.fromJSON(json);
  resources = json.Resources;
  report = JSON.parse(readFileSync(join(outDir, "validation-report.json"), "utf8"));
}, 300_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("cdk synth + cdk-nag", () => {
  it("synthesizes with the AwsSolutions checks passing, every acknowledged finding carrying its reason", () => {
    const nag = report.pluginReports.find((p) => p.pluginName === "AwsSolutions");
    expect(nag?.conclusion).toBe("success");
    expect(nag?.violations).toEqual([]);
    expect(nag!.suppressedViolations.length).toBeGreaterThan(0);
    for (const v of nag!.suppressedViolations) {
      expect(v.acknowledgedId, v.ruleName).toMatch(/^AwsSolutions::AwsSolutions-/);
      expect(v.reason?.length ?? 0, `${v.ruleName} needs a justification`).toBeGreaterThan(40);
    }
  });

  it("fails validation on an unacknowledged finding (the check can fail)", () => {
    const dir = mkdtempSync(join(repoRoot, "test-output", "nag-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const app = new App({ outdir: dir });
    const stack = new Stack(app, "Neg");
    new s3.Bucket(stack, "Plain");
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions/);
  }, 120_000);
});

describe("storage", () => {
  it("bucket: public access blocked, SSE, versioned, access-logged, TLS enforced", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      VersioningConfiguration: { Status: "Enabled" },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "pdfs/" }),
    });
    const policies = ofType("AWS::S3::BucketPolicy");
    expect(policies.length).toBe(2); // PDF bucket and its log bucket
    for (const [, p] of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it("table: on-demand, PITR, encrypted, TTL, three ALL-projected GSIs from the shared schema", () => {
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      SSESpecification: { SSEEnabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
      GlobalSecondaryIndexes: GLOBAL_INDEXES.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: "HASH" },
          { AttributeName: g.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
    });
  });
});

describe("ingest", () => {
  it("S3 incoming/ object-created events go to the encrypted queue, which S3 may send to", () => {
    template.hasResourceProperties("Custom::S3BucketNotifications", {
      NotificationConfiguration: {
        QueueConfigurations: [Match.objectLike({ Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "incoming/" }] } } })],
      },
    });
    const queuePolicies = ofType("AWS::SQS::QueuePolicy").map(([, p]) => JSON.stringify(p.Properties.PolicyDocument));
    expect(queuePolicies.some((p) => p.includes('"Service":"s3.amazonaws.com"') && p.includes("sqs:SendMessage") && p.includes("aws:SourceArn"))).toBe(true);
    expect(queuePolicies.filter((p) => p.includes('"aws:SecureTransport":"false"'))).toHaveLength(2); // queue and DLQ
  });

  it("queue: SSE, visibility 6 × the function timeout, DLQ after 3 receives", () => {
    const [dlqId] = ofType("AWS::SQS::Queue").find(([, q]) => q.Properties.RedrivePolicy === undefined)!;
    template.hasResourceProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlqId, "Arn"] }, maxReceiveCount: 3 },
    });
    expect(resources[dlqId]!.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it("function: nodejs22.x, env for table/topic/pdfjs assets, batches with partial batch failures", () => {
    const [id, fn] = functionWithEnv("BUDGETLENS_PDFJS_ASSETS");
    expect(fn.Properties).toMatchObject({ Runtime: "nodejs22.x", Timeout: 300, MemorySize: 2048, Handler: "index.handler" });
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(["TABLE_NAME", "ALERT_TOPIC_ARN", "BUDGETLENS_PDFJS_ASSETS"]));
    expect(env.BUDGETLENS_PDFJS_ASSETS).toBe("/var/task/pdfjs");
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: id },
      BatchSize: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("least privilege: reads incoming/ only, item actions on the table only, publishes to the topic, consumes the queue", () => {
    const [id] = functionWithEnv("BUDGETLENS_PDFJS_ASSETS");
    const statements = statementsOf(id);
    const actions = actionsOf(statements);
    expect(actions).not.toContain("dynamodb:Scan");
    expect(actions.filter((a) => a.endsWith("*") && !a.startsWith("kms:"))).toEqual([]);
    const table = statements.find((s) => actionsOf([s]).includes("dynamodb:PutItem"))!;
    expect(actionsOf([table]).sort()).toEqual([...INGEST_TABLE_ACTIONS].sort());
    const s3Stmt = statements.find((s) => actionsOf([s]).includes("s3:GetObject"))!;
    expect(actionsOf([s3Stmt]).sort()).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(JSON.stringify(s3Stmt.Resource)).toContain("/incoming/*");
    expect(actions).toContain("sns:Publish");
    expect(actions).toEqual(expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage"]));
    expect(actions.filter((a) => a.startsWith("s3:"))).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    // Writes only on the table itself, not on its index ARNs; Query on both; no unused condition checks.
    expect(JSON.stringify(table.Resource)).not.toContain("/index/");
    expect(actions).not.toContain("dynamodb:ConditionCheckItem");
    const query = statements.find((s) => actionsOf([s]).includes("dynamodb:Query"))!;
    expect(JSON.stringify(query.Resource)).toContain("/index/*");
    // A flood of uploads queues instead of scaling to the account's concurrency limit.
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", { FunctionName: { Ref: id }, ScalingConfig: { MaximumConcurrency: 10 } });
  });
});

describe("query", () => {
  it("Function URL with AWS_IAM auth only, and a managed policy to grant callers", () => {
    const [id] = ofType("AWS::Lambda::Function").find(([, r]) => !JSON.stringify(r.Properties.Environment ?? {}).includes("BUDGETLENS_PDFJS_ASSETS") && JSON.stringify(r.Properties.Environment ?? {}).includes("TABLE_NAME"))!;
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "AWS_IAM", TargetFunctionArn: { "Fn::GetAtt": [id, "Arn"] } });
    for (const [, u] of ofType("AWS::Lambda::Url")) expect(u.Properties.AuthType).toBe("AWS_IAM");
    for (const [, p] of ofType("AWS::Lambda::Permission")) expect(p.Properties.Principal).not.toBe("*");
    template.hasResourceProperties("AWS::IAM::ManagedPolicy", {
      PolicyDocument: { Statement: [Match.objectLike({ Action: "lambda:InvokeFunctionUrl", Resource: { "Fn::GetAtt": [id, "Arn"] } })] },
    });
    const actions = actionsOf(statementsOf(id));
    expect([...new Set(actions)].sort()).toEqual([...QUERY_TABLE_ACTIONS].sort());
  });
});

describe("alerts and monitoring", () => {
  it("topic: KMS-encrypted with a rotating key CloudWatch may use, TLS enforced", () => {
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: "cloudwatch.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": Match.anyValue() } } })]) },
    });
    expect(JSON.stringify(ofType("AWS::SNS::TopicPolicy")[0]![1].Properties)).toContain('"aws:SecureTransport":"false"');
  });

  it("alarms on DLQ depth, on FAILED documents (log metric filter) and on ingest errors, all notifying the topic", () => {
    const [topicId] = ofType("AWS::SNS::Topic")[0]!;
    const [dlqId] = ofType("AWS::SQS::Queue").find(([, q]) => q.Properties.RedrivePolicy === undefined)!;
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Namespace: "AWS/SQS",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [dlqId, "QueueName"] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      FilterPattern: '{ $.outcome = "FAILED" }',
      MetricTransformations: [Match.objectLike({ MetricName: "FailedDocuments", MetricNamespace: "budgetlens", MetricValue: "1" })],
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "FailedDocuments", Namespace: "budgetlens", AlarmActions: [{ Ref: topicId }] });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "Errors", Namespace: "AWS/Lambda", AlarmActions: [{ Ref: topicId }] });
    template.resourceCountIs("AWS::CloudWatch::Alarm", 3);
  });
});

describe("the synthesized bundles run", () => {
  const assetDir = (logicalId: string) => {
    const code = resources[logicalId]!.Properties.Code as { S3Key: string };
    return join(outDir, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
  };
  const pdf = samplePdfs()[0];
  let env: Awaited<ReturnType<typeof startEmbedded>> | undefined;
  afterAll(async () => {
    await env?.stop();
  });

  it("ships pdfjs cmaps, standard fonts and wasm inside the ingest asset", () => {
    const dir = assetDir(functionWithEnv("BUDGETLENS_PDFJS_ASSETS")[0]);
    expect(existsSync(join(dir, "index.mjs"))).toBe(true);
    for (const d of ["cmaps", "standard_fonts", "wasm"]) expect(readdirSync(join(dir, "pdfjs", d)).length).toBeGreaterThan(0);
  });

  it.runIf(pdf !== undefined)("the bundled ingest handler ingests a sample PDF and the bundled query handler serves it", async () => {
    env = await startEmbedded({ dataDir: null, autoStart: false, logLevel: "SILENT" });
    const bytes = readFileSync(pdf!);
    const { key } = await env.upload("bundled.pdf", bytes);
    const ingestDir = assetDir(functionWithEnv("BUDGETLENS_PDFJS_ASSETS")[0]);
    const event = {
      Records: [{ messageId: "m1", receiptHandle: "r1", body: s3NotificationBody({ bucket: env.resources.bucket, key, size: bytes.length }), attributes: {}, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:q", awsRegion: "us-east-1" }],
    };
    const script = (dir: string, ev: unknown) =>
      `const m = await import(${JSON.stringify(join(dir, "index.mjs"))}); const r = await m.handler(${JSON.stringify(ev)}, { awsRequestId: "req-1", getRemainingTimeInMillis: () => 300000 }); console.log("RESULT " + JSON.stringify(r));`;
    const childEnv = { ...process.env, ...env.env, BUDGETLENS_PDFJS_ASSETS: join(ingestDir, "pdfjs") };
    const ingest = await run(process.execPath, ["--input-type=module", "-e", script(ingestDir, event)], { env: childEnv, cwd: ingestDir, timeout: 120_000 });
    expect(ingest.stdout).toContain('RESULT {"batchItemFailures":[]}');

    const [queryId] = ofType("AWS::Lambda::Function").find(([, r]) => JSON.stringify(r.Properties.Environment ?? {}).includes("TABLE_NAME") && !JSON.stringify(r.Properties.Environment ?? {}).includes("BUDGETLENS_PDFJS_ASSETS"))!;
    const queryDir = assetDir(queryId);
    const q = { version: "2.0", rawPath: "/documents", queryStringParameters: {}, requestContext: { http: { method: "GET", path: "/documents" } } };
    const res = await run(process.execPath, ["--input-type=module", "-e", script(queryDir, q)], { env: childEnv, cwd: queryDir, timeout: 60_000 });
    const body = JSON.parse(JSON.parse(res.stdout.split("RESULT ")[1]!).body) as { items: { fileName: string; status: string }[] };
    expect(body.items.map((d) => [d.fileName, d.status])).toEqual([["bundled.pdf", "COMMITTED"]]);
  }, 180_000);
});
