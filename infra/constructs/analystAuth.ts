// Analysts' sign-in for the web site: a Cognito user pool (no self sign-up: an administrator
// creates each analyst, who sets a strong password at first sign-in; TOTP MFA optional), its
// hosted UI on a Cognito domain, and one public app client for the browser (authorization code +
// PKCE, no secret: a static site cannot keep one). The API checks the client's access tokens
// (analystApi.ts, HttpJwtAuthorizer: issuer = the pool, audience = this client).
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

export interface AnalystAuthProps {
  /** The site's origin (https://…): callback.html and index.html under it are the client's only redirect targets. */
  siteOrigin: string;
  /** Hosted-UI domain prefix ({prefix}.auth.{region}.amazoncognito.com); must be unique in the region. */
  domainPrefix: string;
  /** Keep the user pool when the stack is deleted (default true). */
  retain?: boolean;
}

/** The scopes the site asks for (space-separated in the authorize request). */
export const SITE_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL];
export const ACCESS_TOKEN_TTL = Duration.hours(1);
export const REFRESH_TOKEN_TTL = Duration.hours(12);

export class AnalystAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly client: cognito.UserPoolClient;
  /** Base URL of the hosted UI (/oauth2/authorize, /oauth2/token, /logout). */
  readonly domainUrl: string;
  /** The JWT issuer API Gateway checks (https://cognito-idp.{region}.amazonaws.com/{poolId}). */
  readonly issuerUrl: string;

  constructor(scope: Construct, id: string, props: AnalystAuthProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, "Analysts", {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: props.retain !== false,
      removalPolicy: props.retain === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.domain = this.userPool.addDomain("HostedUi", { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.client = this.userPool.addClient("Site", {
      generateSecret: false,
      authFlows: {}, // the hosted UI only: no username/password API flows from this client
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: SITE_SCOPES,
        callbackUrls: [`${props.siteOrigin}/callback.html`],
        logoutUrls: [`${props.siteOrigin}/index.html`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: ACCESS_TOKEN_TTL,
      idTokenValidity: ACCESS_TOKEN_TTL,
      refreshTokenValidity: REFRESH_TOKEN_TTL,
    });
    this.domainUrl = this.domain.baseUrl();
    // The `iss` of the pool's tokens. Not the pool's ProviderURL attribute: that one has no scheme.
    const stack = Stack.of(this);
    this.issuerUrl = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
  }
}
