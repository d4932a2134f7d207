// Storage: the PDF bucket (private, encrypted, TLS only, versioned, access-logged) and the single
// DynamoDB table (on-demand, PITR, three GSIs — shape shared with the local servers via tableSchema.ts).
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { GLOBAL_INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from "../../functions/shared/tableSchema.ts";

export interface StorageProps {
  /** Keep data when the stack is deleted (default true; tests and throwaway stacks may pass false). */
  retainData?: boolean;
}

export class Storage extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.accessLogs = new s3.Bucket(this, "AccessLogs", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This is the server access log bucket of the PDF bucket; logging it into itself would loop.",
    });

    this.bucket = new s3.Bucket(this, "Pdfs", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "pdfs/",
      // Re-uploads keep the older bytes as noncurrent versions (a superseded filing stays readable).
      lifecycleRules: [{ noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) }] }],
      removalPolicy,
    });

    this.table = new dynamodb.TableV2(this, "Table", {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: props.retainData !== false,
      globalSecondaryIndexes: GLOBAL_INDEXES.map((g) => ({
        indexName: g.indexName,
        partitionKey: { name: g.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: g.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      })),
      removalPolicy,
    });
  }
}
