// Least privilege of the deployed stack, asserted on the synthesized template (no bundling, no AWS):
// what each function's role may do, on which resources — so a broadened grant fails here.
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { BudgetlensStack } from "../../infra/stack.ts";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe("least privilege (synthesized CloudFormation)", () => {
  let template: Template;
  let policies: Record<string, { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] } }>;
  const roleStatements = (prefix: string): Statement[] =>
    Object.entries(policies)
      .filter(([id]) => id.startsWith(prefix))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

  beforeAll(() => {
    // Skip esbuild bundling: the template's permissions do not depend on the code asset.
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const stack = new BudgetlensStack(app, "LeastPrivilegeTest", { retainData: false });
    template = Template.fromStack(stack);
    policies = template.findResources("AWS::IAM::Policy") as typeof policies;
  }, 120_000);

  it("no statement grants a wildcard action on a wildcard resource, and no service-wide action", () => {
    for (const s of Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement)) {
      for (const a of actions(s)) {
        expect(a).not.toMatch(/^[a-z0-9]+:\*$/);
        if (a.endsWith("*")) expect(a).toBe("kms:GenerateDataKey*"); // CDK's grantPublish on a KMS topic
      }
      expect(s.Resource).not.toBe("*");
    }
  });

  it("the ingest may only read incoming/ PDFs, write its table (no Scan, no admin), publish alerts, consume its queue", () => {
    const st = roleStatements("IngestFunction");
    const all = st.flatMap(actions).sort();
    expect(all.filter((a) => a.startsWith("s3:"))).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    const s3Resource = JSON.stringify(st.find((s) => actions(s).includes("s3:GetObject"))!.Resource);
    expect(s3Resource).toContain("/incoming/*");
    const dynamo = all.filter((a) => a.startsWith("dynamodb:"));
    expect(dynamo).not.toContain("dynamodb:Scan");
    expect(dynamo.filter((a) => /Table|Backup|Export|Import|PartiQL|Stream|Tag/.test(a))).toEqual([]);
    expect(all.filter((a) => a.startsWith("sns:"))).toEqual(["sns:Publish"]);
    expect(all.filter((a) => a.startsWith("sqs:")).every((a) => ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:DeleteMessage", "sqs:GetQueueAttributes"].includes(a))).toBe(true);
    expect(all.filter((a) => !/^(s3|dynamodb|sns|sqs|kms):/.test(a))).toEqual([]);
  });

  it("the query function is read-only on the table and touches nothing else", () => {
    const all = roleStatements("QueryFunction").flatMap(actions).sort();
    expect(all).toEqual(["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]);
  });

  it("the query endpoint requires IAM (SigV4) auth", () => {
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "AWS_IAM" });
  });

  it("the bucket blocks public access and refuses plain HTTP", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const bucketPolicies = Object.values(template.findResources("AWS::S3::BucketPolicy")) as { Properties: { PolicyDocument: { Statement: { Effect: string; Condition?: unknown }[] } } }[];
    expect(bucketPolicies.some((p) => p.Properties.PolicyDocument.Statement.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition).includes("aws:SecureTransport")))).toBe(true);
  });
});
