// Ingest: S3 incoming/ object-created → SQS (encrypted, TLS only) → ingest Lambda (batches, partial
// batch failures) → DLQ after 3 receives. The function may read incoming/ objects, write the table
// (no Scan, no table management) and publish to the alert topic; nothing else.
import { Duration } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { INCOMING_PREFIX } from "../../functions/shared/s3Source.ts";
import { bundling, functionDefaults, PDFJS_ASSET_DIR } from "./bundling.ts";

export interface IngestProps {
  bucket: s3.IBucket;
  table: dynamodb.ITableV2;
  topic: sns.ITopic;
  /** Deliveries before a message is dead-lettered. */
  maxReceiveCount?: number;
}

export const INGEST_TIMEOUT = Duration.minutes(5);
export const INGEST_BATCH_SIZE = 5;

/**
 * What the ingest does on the table's items: single-item reads/writes and batches, on the table
 * itself (index ARNs take no writes); never Scan or admin. No transactions, no condition checks.
 */
export const INGEST_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:BatchGetItem",
];

/** Reads by key range: on the table and its indexes (the previous year's filing, the series). */
export const INGEST_QUERY_ACTIONS = ["dynamodb:Query"];

/** At most this many ingest functions at once: a flood of uploads queues instead of scaling 2 GB functions to the account limit. */
export const INGEST_MAX_CONCURRENCY = 10;

export class Ingest extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, "DeadLetters", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda consumers: at least 6 × the function timeout.
      visibilityTimeout: Duration.seconds(INGEST_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 3 },
    });
    props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), { prefix: INCOMING_PREFIX });

    this.logGroup = new logs.LogGroup(this, "Logs", { retention: logs.RetentionDays.THREE_MONTHS });
    this.fn = new nodejs.NodejsFunction(this, "Function", {
      ...functionDefaults("functions/ingest/handler.ts"),
      description: "budgetlens ingest: PDF from S3 → parse → validate → reconcile → DynamoDB, SNS alerts",
      memorySize: 2048,
      timeout: INGEST_TIMEOUT,
      logGroup: this.logGroup,
      bundling: bundling({ pdfjsAssets: true }),
      environment: {
        TABLE_NAME: props.table.tableName,
        ALERT_TOPIC_ARN: props.topic.topicArn,
        BUDGETLENS_PDFJS_ASSETS: PDFJS_ASSET_DIR,
        POWERTOOLS_SERVICE_NAME: "budgetlens-ingest",
        POWERTOOLS_LOG_LEVEL: "INFO",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
    this.fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: INGEST_BATCH_SIZE, maxBatchingWindow: Duration.seconds(10), reportBatchItemFailures: true, maxConcurrency: INGEST_MAX_CONCURRENCY }),
    );

    // Least privilege.
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: "ReadIncomingPdfs",
        actions: ["s3:GetObject", "s3:GetObjectVersion"],
        resources: [props.bucket.arnForObjects(`${INCOMING_PREFIX}*`)],
      }),
    );
    this.fn.addToRolePolicy(new iam.PolicyStatement({ sid: "WriteDocumentItems", actions: INGEST_TABLE_ACTIONS, resources: [props.table.tableArn] }));
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: "QueryTableAndIndexes", actions: INGEST_QUERY_ACTIONS, resources: [props.table.tableArn, `${props.table.tableArn}/index/*`] }),
    );
    props.topic.grantPublish(this.fn);
  }
}
