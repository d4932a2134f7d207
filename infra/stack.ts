// The budgetlens stack: one construct per concern, wired together. Describes resources only.
import { CfnOutput, Stack, Validations, type CfnElement, type StackProps } from "aws-cdk-lib";
import type { Construct, IConstruct } from "constructs";
import { Alerts } from "./constructs/alerts.ts";
import { Ingest } from "./constructs/ingest.ts";
import { Monitoring } from "./constructs/monitoring.ts";
import { Query } from "./constructs/query.ts";
import { Storage } from "./constructs/storage.ts";

export interface BudgetlensStackProps extends StackProps {
  alertEmail?: string;
  retainData?: boolean;
}

export class BudgetlensStack extends Stack {
  readonly storage: Storage;
  readonly alerts: Alerts;
  readonly ingest: Ingest;
  readonly query: Query;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: BudgetlensStackProps = {}) {
    super(scope, id, props);
    this.storage = new Storage(this, "Storage", { retainData: props.retainData });
    this.alerts = new Alerts(this, "Alerts", { email: props.alertEmail });
    this.ingest = new Ingest(this, "Ingest", { bucket: this.storage.bucket, table: this.storage.table, topic: this.alerts.topic });
    this.query = new Query(this, "Query", { table: this.storage.table });
    this.monitoring = new Monitoring(this, "Monitoring", {
      deadLetterQueue: this.ingest.deadLetterQueue,
      ingestFunction: this.ingest.fn,
      ingestLogGroup: this.ingest.logGroup,
      topic: this.alerts.topic,
    });

    new CfnOutput(this, "BucketName", { value: this.storage.bucket.bucketName, description: "upload PDFs to s3://<bucket>/incoming/" });
    new CfnOutput(this, "TableName", { value: this.storage.table.tableName });
    new CfnOutput(this, "QueryUrl", { value: this.query.url.url, description: "IAM-authorised (SigV4, service lambda)" });
    new CfnOutput(this, "QueryInvokePolicyArn", { value: this.query.invokePolicy.managedPolicyArn });
    new CfnOutput(this, "AlertTopicArn", { value: this.alerts.topic.topicArn });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.ingest.deadLetterQueue.queueUrl });

    this.suppressJustified();
  }

  /** cdk-nag findings accepted on purpose, each with its reason. */
  private suppressJustified(): void {
    const nag = (scope: IConstruct, finding: string, reason: string): void =>
      Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
    const ref = (c: IConstruct): string => this.getLogicalId(c.node.defaultChild as CfnElement);
    const basicExecution = "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]";
    const indexes = `IAM5[Resource::<${ref(this.storage.table)}.Arn>/index/*]`;

    for (const fn of [this.ingest.fn, this.query.fn]) {
      nag(fn, basicExecution, "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs: the standard minimal Lambda role.");
      nag(fn, "L1", "nodejs22.x is the runtime the code is built and tested for (Node 20/22); a newer runtime is a deliberate, tested upgrade.");
      nag(fn, indexes, "Item-level actions on the table's own GSIs (table/index/*): the analysts' access patterns are served by the GSIs.");
    }
    nag(this.ingest.fn, `IAM5[Resource::<${ref(this.storage.bucket)}.Arn>/incoming/*]`, "The ingest reads the uploaded PDFs: GetObject(Version) only, only under incoming/.");
    nag(this.ingest.fn, "IAM5[Action::kms:GenerateDataKey*]", "Publishing to the KMS-encrypted alert topic needs GenerateDataKey* on that one key (CDK's grantPublish).");

    // The S3 → SQS notification is configured at deploy time by CDK's own singleton custom-resource Lambda.
    const notifications = this.node.tryFindChild("BucketNotificationsHandler050a0587b7544547bf325f094a3db834");
    if (notifications) {
      nag(notifications, basicExecution, "CDK's BucketNotificationsHandler (sets the bucket's S3 → SQS notification at deploy time) uses the basic execution role.");
    }
  }
}
