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
import { listFiles } from "../../scripts/buildSite.ts";
import { ACCESS_TOKEN_TTL } from "../../infra/constructs/analystAuth.ts";

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
/** The query Lambda: the one behind the (IAM) Function URL. */
const queryFunctionId = () => (ofType("AWS::Lambda::Url")[0]![1].Properties.TargetFunctionArn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
/** The analyst API Lambda: the one the HTTP API integrates. */
const analystFunctionId = () => (ofType("AWS::ApiGatewayV2::Integration")[0]![1].Properties.IntegrationUri as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
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
    expect(policies.length).toBe(3); // PDF bucket, its log bucket, the site bucket
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
    const id = queryFunctionId();
    expect(resources[id]!.Properties.Description).toMatch(/query API/);
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "AWS_IAM", TargetFunctionArn: { "Fn::GetAtt": [id, "Arn"] } });
    for (const [, u] of ofType("AWS::Lambda::Url")) expect(u.Properties.AuthType).toBe("AWS_IAM");
    for (const [, p] of ofType("AWS::Lambda::Permission")) expect(p.Properties.Principal).not.toBe("*");
    template.resourceCountIs("AWS::Lambda::Url", 1);
    template.hasResourceProperties("AWS::IAM::ManagedPolicy", {
      PolicyDocument: { Statement: [Match.objectLike({ Action: "lambda:InvokeFunctionUrl", Resource: { "Fn::GetAtt": [id, "Arn"] } })] },
    });
    const actions = actionsOf(statementsOf(id));
    expect([...new Set(actions)].sort()).toEqual([...QUERY_TABLE_ACTIONS].sort());
  });

  it("page cursors are signed with a generated secret shared by the query and analyst API functions (a deploy-time reference, not in the template)", () => {
    const secrets = ofType("AWS::SecretsManager::Secret");
    expect(secrets).toHaveLength(1);
    const [secretId] = secrets[0]!;
    for (const id of [queryFunctionId(), analystFunctionId()]) {
      const env = (resources[id]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.stringify(env.BUDGETLENS_CURSOR_SECRET)).toContain(`{"Ref":"${secretId}"}`);
      expect(JSON.stringify(env.BUDGETLENS_CURSOR_SECRET)).toContain("resolve:secretsmanager");
    }
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

describe("web site on AWS", () => {
  type Stmt = { Action: string | string[]; Effect: string; Principal?: unknown; Condition?: unknown; Resource: unknown };
  const one = (type: string) => {
    const all = ofType(type);
    expect(all, type).toHaveLength(1);
    return all[0]!;
  };
  const siteBucketId = () => {
    const [, dist] = one("AWS::CloudFront::Distribution");
    const origin = (dist.Properties.DistributionConfig as { Origins: { DomainName: { "Fn::GetAtt": [string, string] } }[] }).Origins[0]!;
    return origin.DomainName["Fn::GetAtt"][0];
  };
  const siteOrigin = (): { "Fn::Join": [string, unknown[]] } => ({ "Fn::Join": ["", ["https://", { "Fn::GetAtt": [one("AWS::CloudFront::Distribution")[0], "DomainName"] }]] });

  it("site bucket: private (public access blocked, no public or wildcard principal), encrypted, TLS only, access-logged", () => {
    const bucket = resources[siteBucketId()]!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket).toMatchObject({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] }, LoggingConfiguration: { LogFilePrefix: "site/" } });
    expect(bucket.WebsiteConfiguration).toBeUndefined(); // not an S3 website endpoint: CloudFront's REST origin only
    const [, policy] = ofType("AWS::S3::BucketPolicy").find(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: siteBucketId() }))!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Stmt[] }).Statement;
    const allows = statements.filter((st) => st.Effect === "Allow");
    // Only CloudFront, only GetObject, only for this distribution (OAC).
    expect(allows).toEqual([
      expect.objectContaining({
        Action: "s3:GetObject",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Condition: { StringEquals: { "AWS:SourceArn": { "Fn::Join": ["", expect.anything()] } } },
      }),
    ]);
    expect(JSON.stringify(allows[0]!.Condition)).toContain(one("AWS::CloudFront::Distribution")[0]);
    expect(statements.find((st) => st.Effect === "Deny")).toMatchObject({ Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  it("CloudFront: Origin Access Control (no OAI), HTTPS only, security headers, index.html as root, logged", () => {
    const [oacId, oac] = one("AWS::CloudFront::OriginAccessControl");
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: "s3", SigningBehavior: "always", SigningProtocol: "sigv4" });
    const [, dist] = one("AWS::CloudFront::Distribution");
    const config = dist.Properties.DistributionConfig as Record<string, unknown>;
    expect(config).toMatchObject({
      DefaultRootObject: "index.html",
      DefaultCacheBehavior: { ViewerProtocolPolicy: "redirect-to-https", AllowedMethods: ["GET", "HEAD"], ResponseHeadersPolicyId: { Ref: one("AWS::CloudFront::ResponseHeadersPolicy")[0] } },
      Origins: [{ OriginAccessControlId: { "Fn::GetAtt": [oacId, "Id"] }, S3OriginConfig: { OriginAccessIdentity: "" } }],
      Logging: { Prefix: "site-cdn/" },
    });
    expect(config.CacheBehaviors).toBeUndefined(); // one behaviour: everything through the same headers policy
    const headers = (one("AWS::CloudFront::ResponseHeadersPolicy")[1].Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: "DENY", Override: true });
    const csp = JSON.stringify(headers.ContentSecurityPolicy!.ContentSecurityPolicy);
    for (const d of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "frame-ancestors 'none'", "https://*.execute-api.", ".amazoncognito.com"]) expect(csp).toContain(d);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(eval|inline)'/);
  });

  it("Cognito: admin-created users only, strong passwords, optional TOTP MFA; a public client with the code flow, redirecting only to the site", () => {
    const [poolId, pool] = one("AWS::Cognito::UserPool");
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      Policies: { PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", { UserPoolId: { Ref: poolId } });
    const [, client] = one("AWS::Cognito::UserPoolClient");
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid", "email"],
      SupportedIdentityProviders: ["COGNITO"],
      AccessTokenValidity: ACCESS_TOKEN_TTL.toMinutes(),
    });
    const site = siteOrigin()["Fn::Join"][1];
    expect(client.Properties.CallbackURLs).toEqual([{ "Fn::Join": ["", [...site, "/callback.html"]] }]);
    expect(client.Properties.LogoutURLs).toEqual([{ "Fn::Join": ["", [...site, "/index.html"]] }]);
    expect(client.Properties.ExplicitAuthFlows ?? []).toEqual([]);
  });

  it("HTTP API: a Cognito JWT authorizer on every route, CORS for the site's origin only, access-logged and throttled", () => {
    const [apiId, api] = one("AWS::ApiGatewayV2::Api");
    expect(api.Properties.CorsConfiguration).toEqual({ AllowOrigins: [siteOrigin()], AllowMethods: ["GET"], AllowHeaders: ["authorization", "range"], MaxAge: 3600 });
    const [authId, authorizer] = one("AWS::ApiGatewayV2::Authorizer");
    const [poolId] = one("AWS::Cognito::UserPool");
    const [clientId] = one("AWS::Cognito::UserPoolClient");
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: "JWT", IdentitySource: ["$request.header.Authorization"], JwtConfiguration: { Audience: [{ Ref: clientId }] } });
    const issuer = JSON.stringify((authorizer.Properties.JwtConfiguration as { Issuer: unknown }).Issuer);
    expect(issuer).toContain('"https://cognito-idp.');
    expect(issuer).toContain(`{"Ref":"${poolId}"}`);
    const routes = ofType("AWS::ApiGatewayV2::Route");
    expect(routes.length).toBeGreaterThan(0);
    for (const [, r] of routes) expect(r.Properties).toMatchObject({ ApiId: { Ref: apiId }, AuthorizationType: "JWT", AuthorizerId: { Ref: authId } });
    expect(routes.map(([, r]) => r.Properties.RouteKey)).toEqual(["GET /api/{proxy+}"]);
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", { ApiId: { Ref: apiId }, IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0", IntegrationUri: { "Fn::GetAtt": [analystFunctionId(), "Arn"] } });
    const [, stage] = one("AWS::ApiGatewayV2::Stage");
    expect(stage.Properties).toMatchObject({ StageName: "$default", AutoDeploy: true, DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 } });
    expect((stage.Properties.AccessLogSettings as { Format: string }).Format).toContain("$context.requestId");
  });

  it("analyst API Lambda: reads the table and GETs uploaded PDFs (to presign), nothing else; the PDF bucket lets browsers read presigned GETs", () => {
    const statements = statementsOf(analystFunctionId());
    const actions = actionsOf(statements);
    expect([...new Set(actions)].sort()).toEqual([...QUERY_TABLE_ACTIONS, "s3:GetObject"].sort());
    expect(JSON.stringify(statements.find((st) => actionsOf([st]).includes("s3:GetObject"))!.Resource)).toContain("/incoming/*");
    const [pdfBucketId] = ofType("AWS::S3::Bucket").find(([, b]) => (b.Properties.VersioningConfiguration as { Status?: string } | undefined)?.Status === "Enabled")!;
    expect(resources[pdfBucketId]!.Properties.CorsConfiguration).toEqual({
      CorsRules: [{ AllowedMethods: ["GET", "HEAD"], AllowedOrigins: ["*"], AllowedHeaders: ["range"], ExposedHeaders: ["accept-ranges", "content-length", "content-range", "etag"], MaxAge: 3600 }],
    });
  });

  it("no IAM statement in the stack allows a wildcard action (\"*\" or \"service:*\") or a public principal", () => {
    const docs = [
      ...ofType("AWS::IAM::Role").flatMap(([id, r]) => ((r.Properties.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => [id, p.PolicyDocument] as const)),
      ...ofType("AWS::IAM::Policy").map(([id, p]) => [id, p.Properties.PolicyDocument] as const),
      ...ofType("AWS::IAM::ManagedPolicy").map(([id, p]) => [id, p.Properties.PolicyDocument] as const),
      ...ofType("AWS::S3::BucketPolicy").map(([id, p]) => [id, p.Properties.PolicyDocument] as const),
    ];
    for (const [id, doc] of docs) {
      for (const st of (doc as { Statement: Stmt[] }).Statement.filter((x) => x.Effect === "Allow")) {
        for (const a of actionsOf([st])) expect(a === "*" || a.endsWith(":*"), `${id}: ${a}`).toBe(false);
        expect(JSON.stringify(st.Principal ?? {}), id).not.toMatch(/"\*"/);
      }
    }
  });

  it("the deploy-time copier (BucketDeployment's Lambda) runs on the site's own role: read CDK's assets, write this bucket, invalidate this distribution, log", () => {
    const [fnId, fn] = ofType("AWS::Lambda::Function").find(([id]) => id.startsWith("CustomCDKBucketDeployment"))!;
    const roleId = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    expect(roleId).toMatch(/^SiteDeployRole/);
    expect(statementsOf(fnId)).toEqual([]); // no policy added beside the role's own
    const role = resources[roleId]!.Properties as { ManagedPolicyArns?: unknown; Policies: { PolicyDocument: { Statement: Stmt[] } }[] };
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const site = siteBucketId();
    const [cdnId] = one("AWS::CloudFront::Distribution");
    const grants = statements.map((st) => [actionsOf([st]).sort(), JSON.stringify(st.Resource)] as const);
    expect(grants.map(([a]) => a)).toEqual([["s3:GetObject"], ["s3:GetBucketLocation", "s3:ListBucket"], ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"], ["logs:CreateLogStream", "logs:PutLogEvents"]]);
    expect(grants[0]![1]).toMatch(/cdk-[a-z0-9]+-assets-.*\/\*/);
    expect(grants[1]![1]).toBe(JSON.stringify({ "Fn::GetAtt": [site, "Arn"] }));
    expect(grants[2]![1]).toBe(JSON.stringify({ "Fn::Join": ["", [{ "Fn::GetAtt": [site, "Arn"] }, "/*"]] }));
    expect(grants[3]![1]).toContain(`":distribution/",{"Ref":"${cdnId}"}`);
    expect(grants[4]![1]).toBe(JSON.stringify({ "Fn::GetAtt": [(fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref, "Arn"] }));
  });

  it("deploys the built site: the tree scripts/buildSite.ts makes, pdfjs-dist files with explicit content types, and a generated config.js naming the API, the hosted UI and the client", () => {
    const deployments = ofType("Custom::CDKBucketDeployment");
    expect(deployments).toHaveLength(4);
    for (const [, d] of deployments) expect(d.Properties.DestinationBucketName).toEqual({ Ref: siteBucketId() });
    const byKey = (k: string) => join(outDir, `asset.${k.replace(/\.zip$/, "")}`);
    const [, pages] = deployments.find(([, d]) => d.Properties.DestinationBucketKeyPrefix === undefined)!;
    expect(pages.Properties).toMatchObject({ Exclude: ["pdfjs/*"], DistributionPaths: ["/*"], DistributionId: { Ref: one("AWS::CloudFront::Distribution")[0] } });
    const keys = pages.Properties.SourceObjectKeys as string[];
    const files = keys.map(byKey).flatMap((dir) => listFiles(dir));
    expect(files).toEqual(expect.arrayContaining(["index.html", "doc.html", "callback.html", "js/auth.js", "js/api.js", "config.js"]));
    expect(files.filter((f) => f === "config.js")).toHaveLength(1); // the generated one only (web/config.js is the embedded one)
    expect(files.filter((f) => f.startsWith("pdfjs/"))).toEqual([]);

    // config.js: deploy-time values substituted for the markers CDK wrote into it.
    const configDir = keys.map(byKey).find((dir) => existsSync(join(dir, "config.js")))!;
    const text = readFileSync(join(configDir, "config.js"), "utf8");
    const config = JSON.parse(/window\.BUDGETLENS = (.*);\s*$/.exec(text)![1]!) as { api: string; pdfjs: string; auth: { domain: string; clientId: string; scopes: string } };
    const markers = (pages.Properties.SourceMarkers as Record<string, unknown>[])[keys.findIndex((k) => byKey(k) === configDir)]!;
    const value = (m: string) => markers[m];
    const [, apiMarker, apiPath] = /^(<<marker:0xbaba:\d+>>)(.*)$/.exec(config.api)!;
    expect(value(apiMarker!)).toEqual({ "Fn::GetAtt": [one("AWS::ApiGatewayV2::Api")[0], "ApiEndpoint"] });
    expect(apiPath).toBe("/api");
    expect(config.pdfjs).toBe("/pdfjs");
    expect(config.auth.scopes).toBe("openid email");
    expect(value(config.auth.clientId)).toEqual({ Ref: one("AWS::Cognito::UserPoolClient")[0] });
    // The region is a literal when the CLI's environment names one, else the AWS::Region parameter.
    const [, domainMarker, region] = /^https:\/\/(<<marker:0xbaba:\d+>>)\.auth\.(<<marker:0xbaba:\d+>>|[a-z]{2}-[a-z]+-\d)\.amazoncognito\.com$/.exec(config.auth.domain)!;
    expect(value(domainMarker!)).toEqual({ Ref: one("AWS::Cognito::UserPoolDomain")[0] });
    if (region!.startsWith("<<")) expect(value(region!)).toEqual({ Ref: "AWS::Region" });

    // pdfjs-dist: all of it under pdfjs/, the modules as JavaScript, the wasm as application/wasm, cached a day.
    const pdfjs = deployments.filter(([, d]) => d.Properties.DestinationBucketKeyPrefix === "pdfjs/").map(([, d]) => d.Properties);
    const meta = (d: Record<string, unknown>) => d.SystemMetadata as Record<string, string>;
    const byType = Object.fromEntries(pdfjs.map((d) => [meta(d)["content-type"] ?? "guessed", { include: d.Include, exclude: d.Exclude }]));
    expect(byType).toEqual({
      "text/javascript; charset=utf-8": { include: ["*.mjs"], exclude: ["*"] },
      "application/wasm": { include: ["*.wasm"], exclude: ["*"] },
      guessed: { include: undefined, exclude: ["*.mjs", "*.wasm"] },
    });
    for (const d of pdfjs) expect(meta(d)["cache-control"]).toBe("public, max-age=86400");
    expect(meta(pages.Properties)["cache-control"]).toBe("no-cache");
    const pdfjsFiles = listFiles(byKey((pdfjs[0]!.SourceObjectKeys as string[])[0]!));
    expect(pdfjsFiles).toEqual(expect.arrayContaining(["build/pdf.min.mjs", "build/pdf.worker.min.mjs"]));
    for (const dir of ["cmaps/", "standard_fonts/", "wasm/", "iccs/"]) expect(pdfjsFiles.some((f) => f.startsWith(dir)), dir).toBe(true);
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
    expect(existsSync(join(dir, "parseWorker.mjs"))).toBe(true); // the parse runs in this worker (parseInWorker.ts)
    for (const d of ["cmaps", "standard_fonts", "wasm"]) expect(readdirSync(join(dir, "pdfjs", d)).length).toBeGreaterThan(0);
    // Source maps name file:line without carrying the sources' text (the zip stays under 5 MB).
    for (const f of ["index.mjs.map", "parseWorker.mjs.map"]) {
      const map = JSON.parse(readFileSync(join(dir, f), "utf8")) as { sources: string[]; sourcesContent?: unknown[] };
      expect(map.sources.length, f).toBeGreaterThan(0);
      expect(map.sourcesContent ?? [], f).toEqual([]);
    }
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

    const queryDir = assetDir(queryFunctionId());
    const q = { version: "2.0", rawPath: "/documents", queryStringParameters: {}, requestContext: { http: { method: "GET", path: "/documents" } } };
    const res = await run(process.execPath, ["--input-type=module", "-e", script(queryDir, q)], { env: childEnv, cwd: queryDir, timeout: 60_000 });
    const body = JSON.parse(JSON.parse(res.stdout.split("RESULT ")[1]!).body) as { items: { fileName: string; status: string; docId: string }[] };
    expect(body.items.map((d) => [d.fileName, d.status])).toEqual([["bundled.pdf", "COMMITTED"]]);

  }, 180_000);

  it.runIf(pdf !== undefined)("the bundled analyst API handler (behind the HTTP API) serves the site's routes and redirects the PDF to a presigned URL", async () => {
    // Ingested by the in-process handler (from source), so this checks the analyst bundle on its own.
    await env?.stop();
    env = await startEmbedded({ dataDir: null, autoStart: true, logLevel: "SILENT" });
    const bytes = readFileSync(pdf!);
    await env.upload("site.pdf", bytes);
    expect(await env.waitForIdle(120_000)).toBe(true);
    const analystDir = assetDir(analystFunctionId());
    const call = async (path: string) => {
      const ev = { version: "2.0", rawPath: path, queryStringParameters: {}, requestContext: { http: { method: "GET", path } } };
      const js = `const m = await import(${JSON.stringify(join(analystDir, "index.mjs"))}); const r = await m.handler(${JSON.stringify(ev)}); console.log("RESULT " + JSON.stringify(r));`;
      const out = await run(process.execPath, ["--input-type=module", "-e", js], { env: { ...process.env, ...env!.env }, cwd: analystDir, timeout: 60_000 });
      return JSON.parse(out.stdout.split("RESULT ")[1]!) as { statusCode: number; headers: Record<string, string>; body?: string };
    };
    const list = await call("/api/documents");
    expect(list.statusCode).toBe(200);
    const docs = (JSON.parse(list.body!) as { items: { docId: string; fileName: string }[] }).items;
    expect(docs.map((d) => d.fileName)).toEqual(["site.pdf"]);
    const model = await call(`/api/documents/${docs[0]!.docId}/model`);
    expect(model.statusCode).toBe(200);
    expect((JSON.parse(model.body!) as { model: { tables: unknown[] } }).model.tables.length).toBeGreaterThan(0);
    const redirect = await call(`/api/documents/${docs[0]!.docId}/pdf`);
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toMatch(/X-Amz-Signature=/);
    const fetched = Buffer.from(await (await fetch(redirect.headers.location!)).arrayBuffer());
    expect(fetched.equals(bytes)).toBe(true);
  }, 180_000);
});
