// The environment the handlers see in embedded mode: the same variables as on Lambda (TABLE_NAME,
// ALERT_TOPIC_ARN) plus the SDK's own endpoint variables pointing at the local servers.

export interface Endpoints {
  s3: string;
  dynamodb: string;
  sqs: string;
  sns: string;
}

export const EMBEDDED_REGION = "us-east-1";
/** s3rver's built-in key pair; dynalite and fauxqs accept any credentials. */
export const EMBEDDED_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export function embeddedEnv(endpoints: Endpoints, resources: { table: string; topicArn: string }, logLevel: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_REGION: EMBEDDED_REGION,
    AWS_ACCESS_KEY_ID: EMBEDDED_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_CREDENTIALS.secretAccessKey,
    // s3rver predates the SDK's default CRC checksums on streamed uploads.
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    TABLE_NAME: resources.table,
    ALERT_TOPIC_ARN: resources.topicArn,
    POWERTOOLS_LOG_LEVEL: logLevel,
    POWERTOOLS_SERVICE_NAME: "budgetlens",
  };
}

/** Sets variables, returning a function that restores the previous values. */
export function applyEnv(vars: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  // A session token from a real AWS login would be sent along with the dummy keys; drop it meanwhile.
  for (const k of ["AWS_SESSION_TOKEN", "AWS_PROFILE"]) {
    saved.set(k, process.env[k]);
    delete process.env[k];
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
