// Monitoring: alarms on the dead-letter queue (anything there failed 3 times), on documents recorded
// as FAILED (a metric filter over the ingest's structured log line `outcome: "FAILED"`), and on
// ingest function errors. Every alarm notifies the alert topic.
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface MonitoringProps {
  deadLetterQueue: sqs.IQueue;
  ingestFunction: lambda.IFunction;
  ingestLogGroup: logs.ILogGroup;
  topic: sns.ITopic;
}

export const METRIC_NAMESPACE = "budgetlens";

export class Monitoring extends Construct {
  readonly dlqAlarm: cloudwatch.Alarm;
  readonly failedDocumentsAlarm: cloudwatch.Alarm;
  readonly ingestErrorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const notify = new actions.SnsAction(props.topic);

    this.dlqAlarm = new cloudwatch.Alarm(this, "DeadLetterDepth", {
      alarmDescription: "Ingest messages failed 3 times and were dead-lettered: inspect the DLQ, fix, redrive.",
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: "Maximum" }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const failed = new logs.MetricFilter(this, "FailedDocumentsFilter", {
      logGroup: props.ingestLogGroup,
      filterPattern: logs.FilterPattern.stringValue("$.outcome", "=", "FAILED"),
      metricNamespace: METRIC_NAMESPACE,
      metricName: "FailedDocuments",
      metricValue: "1",
      defaultValue: 0,
    });
    this.failedDocumentsAlarm = new cloudwatch.Alarm(this, "FailedDocuments", {
      alarmDescription: "A PDF could not be parsed (corrupt, encrypted, scanned, not a budget disclosure): see GET /documents?status=FAILED.",
      metric: failed.metric({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.ingestErrorsAlarm = new cloudwatch.Alarm(this, "IngestErrors", {
      alarmDescription: "The ingest function itself failed (crash, timeout).",
      metric: props.ingestFunction.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const a of [this.dlqAlarm, this.failedDocumentsAlarm, this.ingestErrorsAlarm]) a.addAlarmAction(notify);
  }
}
