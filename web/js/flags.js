/* global document, window, URLSearchParams, location, history */
// Flags across departments: every stored finding filtered by severity, rule, year, kind (预算/决算)
// and department, with counts per rule and per department, paged, each opening its document with
// that flag selected (the table cell and its box on the cell's page, the sentence on its own page).
//
// The server does the work: the counts come from /flags/summary (one small answer per set of
// filters, whatever the number of flags), the list is /flags with every filter, read one page of 50
// at a time with the API's page cursor. The facets count as before: per rule with every filter but
// severity and rule, per department with every filter but severity and department.
// The filters live in the URL, with the page number and its cursor (p, c), so a filtered view — and
// a page of it — can be linked; a cursor that no longer fits is dropped and the page found again
// from the first.
import { flagBoxPage, flagHref, getFlagsPage, getFlagSummary, h, KIND_LABEL } from "./api.js";

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 50;
const SEVERITIES = ["error", "warning", "info"];
const FILTERS = ["severity", "rule", "year", "kind", "department"];
/** State the end-to-end tests read. */
const state = (window.__budgetlensFlags = { ready: false, total: 0, page: 1, pages: 1, shown: [], summaries: 0 });

const params = new URLSearchParams(location.search);
let page = Math.max(1, Number(params.get("p")) || 1);
/** Cursors of the pages of the current filters: page number → cursor (page 1 has none). */
let cursors = new Map([[1, undefined]]);
if (page > 1 && params.get("c")) cursors.set(page, params.get("c"));

const current = () => Object.fromEntries(FILTERS.map((f) => [f, $(`f-${f}`).value || params.get(f) || ""]));
const without = (f, ...names) => Object.fromEntries(Object.entries(f).filter(([k]) => !names.includes(k)));
const keyOf = (f) => new URLSearchParams(FILTERS.filter((k) => f[k]).map((k) => [k, f[k]])).toString();
/** The filters the cursors belong to. */
let cursorsFor = keyOf(Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])));

/** Summaries asked for on this page, by filters: paging or a facet click asks again for none it has. */
const summaries = new Map();
function summary(f) {
  const k = keyOf(f);
  if (!summaries.has(k)) {
    summaries.set(k, getFlagSummary(f).catch((e) => (summaries.delete(k), Promise.reject(e))));
    state.summaries = summaries.size;
  }
  return summaries.get(k);
}

/**
 * The cursor of page `p`: known, or found by reading pages from the nearest known one. `known` is the
 * map of the filters asked for (a render for other filters replaces `cursors`, never fills this one).
 */
async function cursorOf(known, f, p) {
  for (let q = p; q >= 1; q--) {
    if (!known.has(q)) continue;
    let cursor = known.get(q);
    for (let i = q; i < p && (i === q || cursor); i++) {
      cursor = (await getFlagsPage(f, PAGE_SIZE, cursor)).next;
      known.set(i + 1, cursor);
    }
    return cursor;
  }
  return undefined;
}

async function pageOf(f, p, known = cursors) {
  try {
    const cursor = await cursorOf(known, f, p);
    if (p > 1 && !cursor) return { items: [], next: undefined };
    const got = await getFlagsPage(f, PAGE_SIZE, cursor);
    known.set(p + 1, got.next);
    return got;
  } catch (e) {
    // A linked cursor of other filters (or from before the data or the cursor key changed): 400. Find the page again.
    if (!String(e.message).startsWith("400") || known.size <= 1) throw e;
    known.clear();
    known.set(1, undefined);
    return pageOf(f, p, known);
  }
}

const rowsOf = (list) => list.map((r) => [r.key, r]).sort((a, b) => b[1].error - a[1].error || b[1].all - a[1].all || String(a[0]).localeCompare(String(b[0]), "zh"));

function facet(tbody, rows, attr, selected, onPick) {
  tbody.replaceChildren(
    ...rows.map(([k, c]) =>
      h("tr", { class: k === selected ? "selected" : undefined, dataset: { [attr]: k } },
        h("td", {}, h("a", { href: "#", onclick: (e) => { e.preventDefault(); onPick(k === selected ? "" : k); } }, k)),
        ...SEVERITIES.map((s) => h("td", { class: `num ${c[s] ? `sev-${s}` : ""}` }, c[s])),
        h("td", { class: "num" }, c.all),
      ),
    ),
  );
  if (rows.length === 0) tbody.append(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "none")));
}

function setSelect(id, values, value, label) {
  const sel = $(id);
  sel.replaceChildren(h("option", { value: "" }, label), ...values.map((v) => h("option", { value: v }, v)));
  if (value && !values.map(String).includes(value)) sel.append(h("option", { value }, value));
  sel.value = value;
}

function where(f) {
  const bp = flagBoxPage(f);
  if (!f.page) return "";
  return bp && bp !== f.page ? `p.${f.page} · cell p.${bp}` : `p.${f.page}`;
}

const uniq = (xs) => [...new Set(xs)].sort((a, b) => String(a).localeCompare(String(b), "zh"));

let rendering = 0;
async function render() {
  const mine = ++rendering;
  const f = current();
  const filters = Object.fromEntries(Object.entries(f).filter(([, v]) => v));
  if (keyOf(filters) !== cursorsFor) {
    cursors = new Map([[1, undefined]]);
    cursorsFor = keyOf(filters);
  }
  $("status").textContent = "loading…";
  // The choices (every rule, department and year with flags), the list's count, the two facets and
  // the page, at once; equal filter sets are one request.
  const asked = page;
  const [choices, listed, ruleFacet, deptFacet, got] = await Promise.all([
    summary({}),
    summary(filters),
    summary(without(filters, "severity", "rule")),
    summary(without(filters, "severity", "department")),
    pageOf(filters, asked),
  ]);
  const pages = Math.max(1, Math.ceil(listed.total / PAGE_SIZE));
  page = Math.min(asked, pages);
  const shown = page === asked ? got.items : (await pageOf(filters, page)).items;
  if (mine !== rendering) return;
  $("status").textContent = "";

  // Rule families as well as rules ("narrative" covers narrative.amount, narrative.share …).
  setSelect("f-rule", uniq(choices.byRule.flatMap((r) => [r.key, r.key.split(".")[0]])), f.rule, "all rules");
  setSelect("f-department", uniq(choices.byDepartment.map((r) => r.key)), f.department, "all departments");
  setSelect("f-year", (choices.byYear ?? []).map((r) => r.key).filter((y) => y !== null).sort((a, b) => a - b).map(String), f.year, "all years");

  facet($("by-rule").querySelector("tbody"), rowsOf(ruleFacet.byRule), "rule", f.rule, (v) => pick("rule", v));
  facet($("by-department").querySelector("tbody"), rowsOf(deptFacet.byDepartment), "department", f.department, (v) => pick("department", v));

  const total = listed.total;
  $("count").textContent = `(${total})`;
  $("p-info").textContent = total === 0 ? "no flags" : `${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + shown.length} of ${total} · page ${page} / ${pages}`;
  $("p-prev").disabled = page <= 1;
  $("p-next").disabled = page >= pages;
  $("flags").querySelector("tbody").replaceChildren(
    ...shown.map((x) =>
      h("tr", { class: `sev-${x.severity}`, dataset: { docId: x.docId, n: String(x.n), rule: x.rule, hasBox: x.box ? "true" : "false" } },
        h("td", {}, x.severity),
        h("td", {}, x.department ?? ""),
        h("td", {}, x.year ?? ""),
        h("td", {}, KIND_LABEL[x.docType] ?? x.docType ?? ""),
        h("td", {}, h("a", { class: "open", href: flagHref(x), title: "open the document with this flag selected" }, x.rule)),
        h("td", {}, `${x.table ?? ""} ${(x.row ?? []).join(" ")}`),
        h("td", { class: "num" }, x.expected ?? ""),
        h("td", { class: "num" }, x.actual ?? ""),
        h("td", {}, where(x)),
        h("td", { class: "message" }, h("div", { class: "clamp", title: x.message }, x.message)),
      ),
    ),
  );
  const q = new URLSearchParams(filters);
  if (page > 1) {
    q.set("p", String(page));
    if (cursors.get(page)) q.set("c", cursors.get(page));
  }
  history.replaceState(null, "", `${location.pathname}${q.toString() ? `?${q}` : ""}`);
  Object.assign(state, { ready: true, total, page, pages, shown: shown.map((x) => ({ docId: x.docId, n: x.n, rule: x.rule })) });
  document.body.dataset.ready = "true";
}

function rerender() {
  document.body.dataset.ready = "false";
  render().catch((e) => ($("status").textContent = `failed: ${e.message}`));
}

function pick(filter, value) {
  $(`f-${filter}`).value = value;
  params.delete(filter);
  page = 1;
  rerender();
}

for (const f of FILTERS) {
  $(`f-${f}`).addEventListener("change", () => {
    params.delete(f);
    page = 1;
    rerender();
  });
}
$("f-clear").addEventListener("click", () => {
  for (const f of FILTERS) {
    $(`f-${f}`).value = "";
    params.delete(f);
  }
  page = 1;
  rerender();
});
$("p-prev").addEventListener("click", () => {
  page -= 1;
  rerender();
});
$("p-next").addEventListener("click", () => {
  page += 1;
  rerender();
});
// Filters from the URL before the first render (the selects' options come with the counts).
for (const f of FILTERS) {
  const v = params.get(f);
  if (!v) continue;
  if (f === "severity" || f === "kind") $(`f-${f}`).value = v;
  else setSelect(`f-${f}`, [], v, $(`f-${f}`).options[0].textContent);
}
await render().catch((e) => ($("status").textContent = `failed: ${e.message}`));
