// The analyst API for the browser: an API Gateway HTTP API whose every route needs a Cognito access
// token (HttpJwtAuthorizer: issuer = the user pool, audience = the site's app client), CORS open to
// the site's origin only, access-logged and throttled, in front of a Lambda running the analyst API
// (analyst/lambdaHandler.ts: the query Lambda's routes plus what the pages need — a document's
// model, departments over the years, headcount — and each PDF as a redirect to a 5-minute
// presigned S3 URL). A second function rather than the query Lambda itself: the query Lambda
// (Function URL, AWS_IAM, for the CLI and programs) does not serve the pages' routes, and the
// analyst one also needs s3:GetObject on the PDFs, which the query Lambda should not have.
import { Duration } from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as s3 from "aws-cdk-lib/aws-s3";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { INCOMING_PREFIX } from "../../functions/shared/s3Source.ts";
import { bundling, functionDefaults } from "./bundling.ts";
import { cursorKeyEnvironment, QUERY_TABLE_ACTIONS } from "./query.ts";

export interface AnalystApiProps {
  table: dynamodb.ITableV2;
  /** The PDF bucket: the API presigns GETs of its incoming/ objects. */
  pdfBucket: s3.IBucket;
  /** The site's origin (https://…): the only origin CORS allows. */
  siteOrigin: string;
  /** JWT issuer (the user pool's provider URL) and accepted audience (the site's app client id). */
  issuerUrl: string;
  clientId: string;
  /** HMAC key of the page cursors, shared with the query function (same cursors on both APIs). */
  cursorKey?: secretsmanager.ISecret;
}

/** Path prefix of every route (as `budgetlens serve` serves the API under /api). */
export const API_PREFIX = "/api";
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };
/**
 * Request headers the site sends: the token (the authorizer's identity source) and Range, which
 * pdf.js adds when the PDF response advertises byte ranges (S3 does) and it fetches parts of a
 * large file; Chrome safelists only simple ranges, so it is allowed explicitly.
 */
export const CORS_ALLOW_HEADERS = ["authorization", "range"];

/**
 * What the PDF bucket answers a browser that follows the API's redirect to a presigned URL. The
 * redirect crosses origins twice (site → API → S3), so the browser sends `Origin: null` and S3
 * must allow any origin: the CORS rule grants nothing by itself (the bucket stays private, every
 * GET needs a valid signature), it only lets the page read what the signed URL already allows.
 */
export const PDF_BUCKET_CORS: s3.CorsRule = {
  allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
  allowedOrigins: ["*"],
  allowedHeaders: ["range"],
  exposedHeaders: ["accept-ranges", "content-length", "content-range", "etag"],
  maxAge: 3600,
};

const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  authorizerError: "$context.authorizer.error",
  integrationError: "$context.integrationErrorMessage",
};

export class AnalystApi extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** The API's base URL the site calls ({endpoint}/api). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: AnalystApiProps) {
    super(scope, id);
    this.fn = new nodejs.NodejsFunction(this, "Function", {
      ...functionDefaults("analyst/lambdaHandler.ts"),
      description: "budgetlens analyst API for the web site (behind the JWT-authorised HTTP API)",
      memorySize: 1024,
      timeout: Duration.seconds(29),
      logGroup: new logs.LogGroup(this, "Logs", { retention: logs.RetentionDays.THREE_MONTHS }),
      bundling: bundling(),
      environment: { TABLE_NAME: props.table.tableName, NODE_OPTIONS: "--enable-source-maps", ...cursorKeyEnvironment(props.cursorKey) },
    });
    props.table.grant(this.fn, ...QUERY_TABLE_ACTIONS);
    // Presigned URLs carry this role's permission: GetObject on uploaded PDFs, nothing else.
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: [props.pdfBucket.arnForObjects(`${INCOMING_PREFIX}*`)] }));

    this.httpApi = new apigwv2.HttpApi(this, "HttpApi", {
      description: "budgetlens analyst API (Cognito JWT on every route)",
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.siteOrigin],
        allowMethods: [apigwv2.CorsHttpMethod.GET],
        allowHeaders: CORS_ALLOW_HEADERS,
        maxAge: Duration.hours(1),
      },
      defaultAuthorizer: new HttpJwtAuthorizer("Cognito", props.issuerUrl, {
        jwtAudience: [props.clientId],
        identitySource: ["$request.header.Authorization"],
      }),
    });
    this.httpApi.addRoutes({
      path: `${API_PREFIX}/{proxy+}`,
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration("Analyst", this.fn, { payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0 }),
    });

    this.accessLogs = new logs.LogGroup(this, "AccessLogs", { retention: logs.RetentionDays.THREE_MONTHS });
    this.stage = new apigwv2.HttpStage(this, "Stage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        // HTTP API context variables only (the REST API's standard-field presets name some it lacks).
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = `${this.httpApi.apiEndpoint}${API_PREFIX}`;
  }
}
