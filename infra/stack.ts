// The budgetlens stack: one construct per concern, wired together. Describes resources only.
import { Aws, CfnOutput, Stack, Token, Validations, type CfnElement, type StackProps } from "aws-cdk-lib";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct, IConstruct } from "constructs";
import { Alerts } from "./constructs/alerts.ts";
import { AnalystApi, PDF_BUCKET_CORS } from "./constructs/analystApi.ts";
import { AnalystAuth, SITE_SCOPES } from "./constructs/analystAuth.ts";
import { Ingest } from "./constructs/ingest.ts";
import { Monitoring } from "./constructs/monitoring.ts";
import { Query } from "./constructs/query.ts";
import { cognitoDomainUrl, Site } from "./constructs/site.ts";
import { Storage } from "./constructs/storage.ts";

export interface BudgetlensStackProps extends StackProps {
  alertEmail?: string;
  retainData?: boolean;
  /** Hosted-UI domain prefix (unique per region; default "{stack name}-{account}"). */
  authDomainPrefix?: string;
}

export class BudgetlensStack extends Stack {
  readonly storage: Storage;
  readonly alerts: Alerts;
  readonly ingest: Ingest;
  readonly query: Query;
  readonly monitoring: Monitoring;
  readonly site: Site;
  readonly auth: AnalystAuth;
  readonly analystApi: AnalystApi;
  readonly cursorKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: BudgetlensStackProps = {}) {
    super(scope, id, props);
    this.storage = new Storage(this, "Storage", { retainData: props.retainData });
    this.alerts = new Alerts(this, "Alerts", { email: props.alertEmail });
    this.ingest = new Ingest(this, "Ingest", { bucket: this.storage.bucket, table: this.storage.table, topic: this.alerts.topic });
    // The page cursors' HMAC key: a cursor can then only be one these APIs issued (pageCursor.ts).
    this.cursorKey = new secretsmanager.Secret(this, "PageCursorKey", {
      description: "budgetlens: HMAC key of the query APIs' page cursors",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.query = new Query(this, "Query", { table: this.storage.table, cursorKey: this.cursorKey });
    this.monitoring = new Monitoring(this, "Monitoring", {
      deadLetterQueue: this.ingest.deadLetterQueue,
      ingestFunction: this.ingest.fn,
      ingestLogGroup: this.ingest.logGroup,
      topic: this.alerts.topic,
    });

    // The analysts' web site: CloudFront + private S3, Cognito hosted-UI sign-in, JWT-checked HTTP API.
    const authDomainPrefix = props.authDomainPrefix ?? `${this.stackName.toLowerCase()}-${Aws.ACCOUNT_ID}`;
    const pdfs = this.storage.bucket;
    this.site = new Site(this, "Site", {
      logBucket: this.storage.accessLogs,
      connectSources: [
        `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, // the HTTP API (its id would make a dependency cycle: its CORS names the site)
        cognitoDomainUrl(authDomainPrefix), // token endpoint
        `https://${pdfs.bucketRegionalDomainName}`, // presigned PDF URLs (regional and global host styles)
        `https://${pdfs.bucketName}.s3.${Aws.URL_SUFFIX}`,
      ],
    });
    this.auth = new AnalystAuth(this, "AnalystAuth", { siteOrigin: this.site.origin, domainPrefix: authDomainPrefix, retain: props.retainData });
    this.analystApi = new AnalystApi(this, "AnalystApi", {
      table: this.storage.table,
      pdfBucket: pdfs,
      siteOrigin: this.site.origin,
      issuerUrl: this.auth.issuerUrl,
      clientId: this.auth.client.userPoolClientId,
      cursorKey: this.cursorKey,
    });
    pdfs.addCorsRule(PDF_BUCKET_CORS);
    this.site.deployContent({
      api: this.analystApi.url,
      auth: { domain: this.auth.domainUrl, clientId: this.auth.client.userPoolClientId, scopes: SITE_SCOPES.map((s) => s.scopeName).join(" ") },
    });

    new CfnOutput(this, "BucketName", { value: this.storage.bucket.bucketName, description: "upload PDFs to s3://<bucket>/incoming/" });
    new CfnOutput(this, "TableName", { value: this.storage.table.tableName });
    new CfnOutput(this, "QueryUrl", { value: this.query.url.url, description: "IAM-authorised (SigV4, service lambda)" });
    new CfnOutput(this, "QueryInvokePolicyArn", { value: this.query.invokePolicy.managedPolicyArn });
    new CfnOutput(this, "AlertTopicArn", { value: this.alerts.topic.topicArn });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.ingest.deadLetterQueue.queueUrl });
    new CfnOutput(this, "SiteUrl", { value: this.site.origin, description: "the analysts' web site (sign in with a user created in the pool)" });
    new CfnOutput(this, "AnalystApiUrl", { value: this.analystApi.url, description: "Cognito access token (Bearer) required" });
    new CfnOutput(this, "UserPoolId", { value: this.auth.userPool.userPoolId, description: "aws cognito-idp admin-create-user --user-pool-id <this> …" });
    new CfnOutput(this, "HostedUiUrl", { value: this.auth.domainUrl });

    this.suppressJustified();
  }

  /** cdk-nag findings accepted on purpose, each with its reason. */
  private suppressJustified(): void {
    const nag = (scope: IConstruct, finding: string, reason: string): void =>
      Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
    const ref = (c: IConstruct): string => this.getLogicalId(c.node.defaultChild as CfnElement);
    const basicExecution = "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]";
    const indexes = `IAM5[Resource::<${ref(this.storage.table)}.Arn>/index/*]`;

    for (const fn of [this.ingest.fn, this.query.fn, this.analystApi.fn]) {
      nag(fn, basicExecution, "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs: the standard minimal Lambda role.");
      nag(fn, "L1", "nodejs22.x is the runtime the code is built and tested for (Node 20/22); a newer runtime is a deliberate, tested upgrade.");
      nag(fn, indexes, "Item-level actions on the table's own GSIs (table/index/*): the analysts' access patterns are served by the GSIs.");
    }
    nag(this.ingest.fn, `IAM5[Resource::<${ref(this.storage.bucket)}.Arn>/incoming/*]`, "The ingest reads the uploaded PDFs: GetObject(Version) only, only under incoming/.");
    nag(this.ingest.fn, "IAM5[Action::kms:GenerateDataKey*]", "Publishing to the KMS-encrypted alert topic needs GenerateDataKey* on that one key (CDK's grantPublish).");

    nag(this.analystApi.fn, `IAM5[Resource::<${ref(this.storage.bucket)}.Arn>/incoming/*]`, "The analyst API presigns GETs of the uploaded PDFs for the viewer: s3:GetObject only, only under incoming/.");

    nag(this.cursorKey, "SMG4", "The page-cursor HMAC key only authenticates paging tokens; rotating it would just invalidate open cursors, so it is not rotated automatically.");

    // The web site.
    const cdn = this.site.distribution;
    nag(cdn, "CFR4", "Served on the default *.cloudfront.net certificate, for which CloudFront cannot raise the minimum TLS version; HTTPS is enforced (redirect) and a custom domain with a TLSv1.2_2021 policy is the upgrade path.");
    nag(cdn, "CFR1", "An internal analysts' site behind Cognito sign-in: who may use it is decided by the user pool, not by country.");
    nag(cdn, "CFR2", "The distribution serves static files only (GET/HEAD from a private bucket); every data request goes to the JWT-protected API. WAF's fixed monthly cost is not justified for a few analysts.");
    nag(this.auth.userPool, "COG2", "MFA (TOTP) is optional by decision: analysts are created by an administrator, with a 14-character password policy; make it REQUIRED where policy demands.");
    nag(this.auth.userPool, "COG8", "Essentials tier: a handful of admin-created analysts; Plus (threat protection) is charged per user and can be enabled without code changes.");
    // BucketDeployment's singleton custom-resource Lambda (uploads the site at deploy time), on the site's own role.
    const deployer = this.node.children.find((c) => c.node.id.startsWith("Custom::CDKBucketDeployment"));
    if (deployer) nag(deployer, "L1", "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib, not by this project.");
    const deployRole = this.site.deployRoleRef;
    if (deployRole) {
      // The asset bucket's name holds the account and region: literal when the CLI's environment names them.
      const [account, region] = [this.account, this.region].map((v, i) => (Token.isUnresolved(v) ? ["<AWS::AccountId>", "<AWS::Region>"][i] : v));
      nag(deployRole, `IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`, "The site copier reads the zipped site (and its generated config.js) from CDK's asset bucket; their keys are content hashes, one of them made by Source.data.");
      nag(deployRole, `IAM5[Resource::<${ref(this.site.bucket)}.Arn>/*]`, "The site copier writes and prunes the objects of the site bucket, whose keys are the site's files.");
    }

    // The S3 → SQS notification is configured at deploy time by CDK's own singleton custom-resource Lambda.
    const notifications = this.node.tryFindChild("BucketNotificationsHandler050a0587b7544547bf325f094a3db834");
    if (notifications) {
      nag(notifications, basicExecution, "CDK's BucketNotificationsHandler (sets the bucket's S3 → SQS notification at deploy time) uses the basic execution role.");
    }
  }
}
