// AWS SDK clients, created with no endpoint: on AWS they resolve normally; locally the SDK's own
// AWS_ENDPOINT_URL_S3 / _DYNAMODB / _SNS / _SQS variables redirect them to the embedded servers.
// Created lazily so the embedded runner can set those variables before first use.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";

export function createDocumentClient(): DynamoDBDocumentClient {
  // Throttling and transient errors: the SDK's adaptive retry mode backs off client-side too.
  const raw = new DynamoDBClient({ maxAttempts: 8, retryMode: "adaptive" });
  return DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

export function createS3Client(): S3Client {
  return new S3Client({ maxAttempts: 5 });
}

export function createSnsClient(): SNSClient {
  return new SNSClient({ maxAttempts: 5 });
}

/** Reads a required environment variable (the CDK stack sets them on the function). */
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}
