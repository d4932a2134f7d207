// Alerts: the SNS topic the ingest publishes to (document FAILED, reconciliation errors) and the
// alarms notify. Encrypted with its own KMS key — CloudWatch alarms cannot publish to a topic under
// the AWS-managed SNS key, so the key policy lets cloudwatch.amazonaws.com use this one. TLS only.
import * as iam from "aws-cdk-lib/aws-iam";
import { Stack } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subs from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";

export interface AlertsProps {
  /** Subscribe this address to the topic (it must confirm the subscription e-mail). */
  email?: string;
}

export class Alerts extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertsProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, "Key", { description: "budgetlens alert topic", enableKeyRotation: true });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"], // in a key policy, "*" means this key
        // Only alarms of this account may use the key (confused-deputy guard).
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, "Topic", { displayName: "budgetlens alerts", masterKey: this.key, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subs.EmailSubscription(props.email));
  }
}
