/* global window, fetch, URLSearchParams */
// The analyst API as the pages use it. window.BUDGETLENS (config.js) says where it lives:
// `budgetlens serve` serves /config.js (same origin, no login); the site on AWS ships a generated
// config.js (API Gateway URL on another origin + the hosted-UI login, see auth.js).
import "./nav.js"; // the header's links and sign-out link, before wireLogoutLink below
import { authEnabled, authHeaders, recoverFromUnauthorized, refreshSession, wireLogoutLink } from "./auth.js";

export const config = window.BUDGETLENS ?? { api: "/api", pdfjs: "/pdfjs" };
export { authHeaders };
wireLogoutLink();

/** fetch with the login's Bearer token (none embedded); a 401 refreshes the token once and retries. */
async function apiFetch(url) {
  const attempt = async () => fetch(url, { headers: await authHeaders() });
  let res;
  try {
    res = await attempt();
  } catch (e) {
    // The gateway's own 401 may come without CORS headers: the browser then reports a network error.
    if (!authEnabled() || !(await refreshSession())) throw e;
    return attempt();
  }
  return res.status === 401 && (await recoverFromUnauthorized()) ? attempt() : res;
}

export async function getJson(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const qs = q.toString();
  const res = await apiFetch(`${config.api}${path}${qs ? `?${qs}` : ""}`);
  const body = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(`${res.status} ${body.error ?? ""} ${body.details ? JSON.stringify(body.details) : ""}`);
  return body;
}

/** Every page of a paginated list. */
export async function getAll(path, params = {}) {
  const items = [];
  let cursor;
  do {
    const page = await getJson(path, { ...params, limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export const KIND_LABEL = { budget: "预算", final_accounts: "决算", unknown: "?" };

/** Element helper: h("td", { class: "x", onclick }, "text", child…). */
export function h(tag, attrs = {}, ...children) {
  const el = window.document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof window.Node ? c : String(c));
  return el;
}

// ---- flags across departments (flags.html) ---------------------------------------------------

/** Page size asked of /flags when reading every page (the API's maximum). */
export const FLAGS_READ_LIMIT = 1000;

/**
 * Every flag across departments matching the API's own filters ({ severity, rule, year, kind,
 * department, includeSuperseded }), read page by page with the API's cursor. Each flag carries
 * docId, department, year, docType and n (its number in its document). `onPage(count)` reports
 * progress. For exports and tests: the flags page reads one page (getFlagsPage) and the counts (getFlagSummary).
 */
export async function getFlagsAcross(filters = {}, onPage) {
  const items = [];
  let cursor;
  do {
    const page = await getJson("/flags", { ...filters, limit: FLAGS_READ_LIMIT, cursor });
    items.push(...page.items);
    onPage?.(items.length);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/**
 * One page of flags: `limit` flags after `cursor` (undefined = the first), and the cursor of the next
 * page (undefined after the last). A short answer (the server's read budget, page.stoppedBy) is
 * continued until the page is full, so pages are `limit` flags apart and their cursors can be kept.
 */
export async function getFlagsPage(filters, limit, cursor) {
  const items = [];
  let next = cursor;
  let requests = 0;
  do {
    const page = await getJson("/flags", { ...filters, limit: limit - items.length, cursor: next });
    requests++;
    items.push(...page.items);
    next = page.nextCursor;
  } while (next && items.length < limit);
  return { items, next, requests };
}

const SEVERITY_KEYS = ["error", "warning", "info", "all"];

/**
 * /flags/summary for the filters: counts by severity, rule, department (and year when no year is
 * given), computed by the server. A summary cut short by the server's read budget (complete: false)
 * is continued with its cursor and the counts added up, so what this returns is the whole count.
 * Rows are { key, error, warning, info, all }.
 */
export async function getFlagSummary(filters = {}) {
  const rows = { byRule: new Map(), byDepartment: new Map(), byYear: new Map() };
  const bySeverity = { error: 0, warning: 0, info: 0, all: 0 };
  let total = 0;
  let calls = 0;
  let hasYears = false;
  let cursor;
  do {
    const s = await getJson("/flags/summary", { ...filters, cursor });
    calls++;
    total += s.total;
    for (const k of SEVERITY_KEYS) bySeverity[k] += s.bySeverity[k];
    const add = (map, list, key) => {
      for (const r of list ?? []) {
        const k = r[key];
        const c = map.get(k) ?? { key: k, error: 0, warning: 0, info: 0, all: 0 };
        for (const x of SEVERITY_KEYS) c[x] += r[x];
        map.set(k, c);
      }
    };
    add(rows.byRule, s.byRule, "rule");
    add(rows.byDepartment, s.byDepartment, "department");
    if (s.byYear) {
      hasYears = true;
      add(rows.byYear, s.byYear, "year");
    }
    cursor = s.nextCursor;
  } while (cursor);
  return {
    total,
    bySeverity,
    byRule: [...rows.byRule.values()],
    byDepartment: [...rows.byDepartment.values()],
    byYear: hasYears ? [...rows.byYear.values()] : undefined,
    calls,
  };
}

/** The document page with one flag selected (flag = its 1-based number in the document). */
export const flagHref = (flag) => `doc.html?id=${encodeURIComponent(flag.docId)}&flag=${flag.n}`;

/** The page a flag's box lies on (flags stored before boxPage existed: their page). */
export const flagBoxPage = (flag) => (flag.box ? (flag.boxPage ?? flag.page) : undefined);
