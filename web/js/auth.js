/* global window, crypto, fetch, sessionStorage, location, URL, URLSearchParams, TextEncoder, btoa */
// Sign-in for the site on AWS: OAuth 2.0 authorization code + PKCE (S256) against the hosted UI
// (Cognito), public client (no secret). config.auth = { domain, clientId, scopes } (config.js);
// without it (`budgetlens serve`, same origin) there is no login and no header.
// Tokens live in sessionStorage: gone when the tab closes, never in a cookie. The API gets the
// access token as "Authorization: Bearer …" (the API Gateway JWT authorizer checks issuer, client
// and expiry). Expired or refused (401): one refresh with the refresh token, else a new login.
// The callback page is callback.html (registered as the app client's callback URL).

const TOKENS = "budgetlens.tokens";
const PENDING = "budgetlens.pkce";
/** Refresh this long before the access token expires (clock skew, request time). */
const EXPIRY_MARGIN_MS = 60_000;

const authConfig = () => window.BUDGETLENS?.auth;
export const authEnabled = () => Boolean(authConfig());
const callbackUrl = () => new URL("callback.html", location.origin + "/").href;
const endpoint = (path) => `${authConfig().domain.replace(/\/+$/, "")}${path}`;

function base64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
const randomString = (n = 32) => base64url(crypto.getRandomValues(new Uint8Array(n)));
async function s256(text) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

const readJson = (key) => {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
};

function storeTokens(body, previous) {
  const tokens = {
    accessToken: body.access_token,
    idToken: body.id_token ?? previous?.idToken,
    // A refresh grant does not return a new refresh token (Cognito): keep the old one.
    refreshToken: body.refresh_token ?? previous?.refreshToken,
    expiresAt: Date.now() + Number(body.expires_in ?? 3600) * 1000,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

async function tokenRequest(params) {
  const res = await fetch(endpoint("/oauth2/token"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: authConfig().clientId, ...params }).toString(),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error ?? ""}`);
  return body;
}

/** Sends the browser to the hosted UI; resolves never (the page unloads). */
export async function login(returnTo = location.href) {
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: authConfig().clientId,
    redirect_uri: callbackUrl(),
    scope: authConfig().scopes,
    state,
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  });
  location.assign(`${endpoint("/oauth2/authorize")}?${q}`);
  return new Promise(() => {});
}

/** On callback.html: exchanges the code (with the PKCE verifier) for tokens and goes back. */
export async function completeLogin() {
  const q = new URLSearchParams(location.search);
  const pending = readJson(PENDING);
  sessionStorage.removeItem(PENDING);
  if (q.get("error")) throw new Error(`sign-in refused: ${q.get("error")} ${q.get("error_description") ?? ""}`);
  if (!pending || !q.get("code") || q.get("state") !== pending.state) throw new Error("sign-in answer does not match a sign-in started here (state)");
  const body = await tokenRequest({ grant_type: "authorization_code", code: q.get("code"), redirect_uri: callbackUrl(), code_verifier: pending.verifier });
  storeTokens(body);
  // Only return to a page of this site.
  const back = new URL(pending.returnTo ?? "/", location.origin);
  location.replace(back.origin === location.origin ? back.href : "/");
}

async function refresh(tokens) {
  if (!tokens?.refreshToken) return null;
  try {
    return storeTokens(await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refreshToken }), tokens);
  } catch {
    return null;
  }
}

/** A valid access token: the stored one, a refreshed one, or (navigating away) a new login. */
export async function accessToken() {
  const tokens = readJson(TOKENS);
  if (tokens?.accessToken && tokens.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return tokens.accessToken;
  const renewed = await refresh(tokens);
  return renewed ? renewed.accessToken : login();
}

/** Headers for an API request ({} without auth). */
export async function authHeaders() {
  return authEnabled() ? { authorization: `Bearer ${await accessToken()}` } : {};
}

/** A new access token from the refresh token; false when there is none or it was refused. */
export async function refreshSession() {
  return Boolean(await refresh(readJson(TOKENS)));
}

/** The API refused the token (401): refresh once; false → a new login was started. */
export async function recoverFromUnauthorized() {
  if (!authEnabled()) return false;
  if (await refreshSession()) return true;
  sessionStorage.removeItem(TOKENS);
  await login();
  return false;
}

/** Forgets the tokens here and ends the hosted-UI session, coming back to the document list. */
export function logout() {
  sessionStorage.removeItem(TOKENS);
  sessionStorage.removeItem(PENDING);
  const q = new URLSearchParams({ client_id: authConfig().clientId, logout_uri: new URL("index.html", location.origin + "/").href });
  location.assign(`${endpoint("/logout")}?${q}`);
}

/** Shows and wires the header's sign-out link (#logout) when the site has a login. */
export function wireLogoutLink() {
  const link = window.document.getElementById("logout");
  if (!link || !authEnabled()) return;
  link.hidden = false;
  link.addEventListener("click", (e) => {
    e.preventDefault();
    logout();
  });
}
