/* global window */
// Where the pages find the analyst API and pdf.js. `budgetlens serve` answers /config.js itself
// (same origin, no login). The site on AWS gets a config.js generated at deploy time
// (infra/constructs/site.ts, scripts/buildSite.ts renderConfigJs): api = the HTTP API's URL,
// pdfjs = "/pdfjs" (pdfjs-dist copied into the site), auth = { domain, clientId, scopes } of the
// Cognito hosted UI (web/js/auth.js: authorization code + PKCE).
window.BUDGETLENS = { api: "/api", pdfjs: "/pdfjs" };
