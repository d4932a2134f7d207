// The web site on AWS: a private S3 bucket (public access blocked, TLS only, access-logged) that
// only CloudFront reads (Origin Access Control), HTTPS only, a security-headers policy (CSP, HSTS,
// nosniff, frame-deny, referrer policy), index.html as the root. The files are exactly what
// scripts/buildSite.ts builds (web/ + the pdfjs-dist browser files), deployed with
// BucketDeployment; config.js is generated at deploy time from the stack's values (API URL, hosted
// UI domain, app client id are CloudFormation tokens) — see deployContent().
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aws, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3assets from "aws-cdk-lib/aws-s3-assets";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { buildSite, PDFJS_PREFIX, renderConfigJs, type SiteAuthConfig } from "../../scripts/buildSite.ts";

export interface SiteProps {
  /** Bucket (ACLs enabled) receiving the site bucket's S3 access logs and CloudFront's standard logs. */
  logBucket: s3.IBucket;
  /** Origins the pages may fetch from besides their own (CSP connect-src): API, hosted UI, PDF bucket. */
  connectSources: string[];
}

export interface SiteContent {
  /** The analyst API's base URL. */
  api: string;
  auth: SiteAuthConfig;
}

/**
 * The pages' Content-Security-Policy. pdf.js needs 'wasm-unsafe-eval' (its image decoders are
 * WebAssembly) and inline styles (font faces, the highlight box); fonts may come as data: URLs;
 * no eval (pdf.js detects that and uses its non-eval font path), no plugins, no framing.
 */
export function siteContentSecurityPolicy(connectSources: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${connectSources.join(" ")}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Cache-Control per kind of file: pdfjs-dist files change only with its version; pages and config revalidate. */
const PDFJS_CACHE = s3deploy.CacheControl.fromString("public, max-age=86400");
const PAGES_CACHE = s3deploy.CacheControl.fromString("no-cache");

export class Site extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headersPolicy: cloudfront.ResponseHeadersPolicy;
  /** https://{distribution domain} */
  readonly origin: string;
  /** The tree built by scripts/buildSite.ts (no config.js). */
  readonly buildDir: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, "Files", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: "site/",
      // Rebuilt from the repository on every deploy, nothing in it to keep: the deployments empty it
      // when the stack is deleted (retainOnDelete: false), then the bucket goes too.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.headersPolicy = new cloudfront.ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "budgetlens site: CSP, HSTS, nosniff, frame deny, referrer policy",
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: siteContentSecurityPolicy(props.connectSources), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });

    this.distribution = new cloudfront.Distribution(this, "Cdn", {
      comment: "budgetlens analyst site",
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: "site-cdn/",
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    // Built afresh on every synth; CDK copies it into the cloud assembly, so it goes when the app exits.
    const buildDir = (this.buildDir = mkdtempSync(join(tmpdir(), "budgetlens-site-")));
    buildSite(buildDir);
    process.once("exit", () => rmSync(buildDir, { recursive: true, force: true }));
  }

  /**
   * The role of CDK's deploy-time copier (BucketDeployment's Lambda), instead of the one it makes
   * itself (s3:GetObject*, s3:List*, s3:DeleteObject*, s3:Abort* and CloudFront invalidations on
   * "*"): read the zipped site from CDK's asset bucket, write and prune this bucket, invalidate this
   * distribution, log to its own log group. Inline in the role, so the policy exists before the copy
   * runs; handed over without policy updates, so BucketDeployment's own grants are not added.
   */
  private deployRole(assetBucket: s3.IBucket): iam.IRole {
    const stack = Stack.of(this);
    const logGroup = (this.deployLogs = new logs.LogGroup(this, "DeployLogs", { retention: logs.RetentionDays.ONE_MONTH }));
    const role = new iam.Role(this, "DeployRole", {
      description: "budgetlens site: copies the built site into its bucket at deploy time",
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      inlinePolicies: {
        deploySite: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: [assetBucket.arnForObjects("*")] }),
            new iam.PolicyStatement({ actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [this.bucket.bucketArn] }),
            new iam.PolicyStatement({ actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [this.bucket.arnForObjects("*")] }),
            new iam.PolicyStatement({
              actions: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
              resources: [stack.formatArn({ service: "cloudfront", region: "", resource: "distribution", resourceName: this.distribution.distributionId })],
            }),
            new iam.PolicyStatement({ actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroup.logGroupArn] }),
          ],
        }),
      },
    });
    this.deployRoleRef = role;
    return role.withoutPolicyUpdates();
  }
  /** The copier's role and log group (for cdk-nag acknowledgements and tests). */
  deployRoleRef?: iam.Role;
  deployLogs?: logs.LogGroup;

  /** Uploads the built site and a config.js naming the API and the hosted UI (deploy-time values). */
  deployContent(content: SiteContent): s3deploy.BucketDeployment {
    const pdfjsDir = join(this.buildDir, PDFJS_PREFIX);
    // Any asset tells where CDK's asset bucket is (all of this app's assets go there).
    const pages = new s3assets.Asset(this, "PagesFiles", { path: this.buildDir, exclude: [`${PDFJS_PREFIX}/**`] });
    const role = this.deployRole(pages.bucket);
    const common = { destinationBucket: this.bucket, memoryLimit: 512, retainOnDelete: false, role, logGroup: this.deployLogs };
    // pdfjs-dist, by content type: the module files must be served as JavaScript and the wasm as
    // application/wasm whatever the uploader's MIME table knows about .mjs/.wasm.
    const pdfjs = [
      { id: "Pdfjs", include: [] as string[], exclude: ["*.mjs", "*.wasm"], contentType: undefined },
      { id: "PdfjsModules", include: ["*.mjs"], exclude: ["*"], contentType: "text/javascript; charset=utf-8" },
      { id: "PdfjsWasm", include: ["*.wasm"], exclude: ["*"], contentType: "application/wasm" },
    ].map(
      (d) =>
        new s3deploy.BucketDeployment(this, d.id, {
          ...common,
          sources: [s3deploy.Source.asset(pdfjsDir)],
          destinationKeyPrefix: `${PDFJS_PREFIX}/`,
          include: d.include.length ? d.include : undefined,
          exclude: d.exclude,
          contentType: d.contentType,
          cacheControl: [PDFJS_CACHE],
        }),
    );
    const deployment = new s3deploy.BucketDeployment(this, "Pages", {
      ...common,
      sources: [
        s3deploy.Source.bucket(pages.bucket, pages.s3ObjectKey),
        s3deploy.Source.data("config.js", renderConfigJs({ api: content.api, pdfjs: `/${PDFJS_PREFIX}`, auth: content.auth })),
      ],
      // pdfjs/ belongs to the deployments above: neither uploaded nor pruned here.
      exclude: [`${PDFJS_PREFIX}/*`],
      cacheControl: [PAGES_CACHE],
      distribution: this.distribution,
      distributionPaths: ["/*"],
    });
    for (const d of pdfjs) deployment.node.addDependency(d);
    return deployment;
  }
}

/** Hosted-UI base URL for a Cognito domain prefix (known before the domain exists: no dependency). */
export const cognitoDomainUrl = (prefix: string): string => `https://${prefix}.auth.${Aws.REGION}.amazoncognito.com`;
