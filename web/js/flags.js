/* global document, window, URLSearchParams, location, history */
// Flags across departments: every stored finding filtered by severity, rule, year, kind (预算/决算)
// and department, with counts per rule and per department, paged, each opening its document with
// that flag selected (the table cell and its box on the cell's page, the sentence on its own page).
//
// The year is asked of the API (/flags?year=); the other filters are applied here, over the year's
// flags of every severity, because the counts per rule and per department need them all anyway and
// /flags has no kind filter. The filters live in the URL, so a filtered view can be linked.
import { flagBoxPage, flagHref, getAll, getFlagsAcross, h, KIND_LABEL } from "./api.js";

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 50;
const SEVERITIES = ["error", "warning", "info"];
const FILTERS = ["severity", "rule", "year", "kind", "department"];
/** State the end-to-end test reads. */
const state = (window.__budgetlensFlags = { ready: false, total: 0, page: 1, pages: 1, shown: [] });

const params = new URLSearchParams(location.search);
let page = Math.max(1, Number(params.get("p")) || 1);

// Years (and departments) to choose from: the stored filings.
const docs = await getAll("/documents");
const uniq = (xs) => [...new Set(xs)].sort((a, b) => String(a).localeCompare(String(b), "zh"));
for (const y of uniq(docs.map((d) => d.year).filter((y) => y !== undefined))) $("f-year").append(h("option", { value: y }, y));
for (const f of FILTERS) {
  const v = params.get(f);
  if (v && f !== "rule" && f !== "department") $(`f-${f}`).value = v;
}

let loaded = { year: null, flags: [] };
async function flagsOfYear(year) {
  if (loaded.year === year) return loaded.flags;
  $("status").textContent = "loading…";
  const flags = await getFlagsAcross(year ? { year } : {}, (n) => ($("status").textContent = `loading… ${n}`));
  loaded = { year, flags };
  $("status").textContent = "";
  return flags;
}

const current = () => Object.fromEntries(FILTERS.map((f) => [f, $(`f-${f}`).value || params.get(f) || ""]));

/** Flags passing every filter except those named in `skip`. */
function filtered(flags, f, skip = []) {
  return flags.filter(
    (x) =>
      (skip.includes("severity") || !f.severity || x.severity === f.severity) &&
      (skip.includes("rule") || !f.rule || x.rule === f.rule || x.rule.startsWith(`${f.rule}.`)) &&
      (skip.includes("kind") || !f.kind || x.docType === f.kind) &&
      (skip.includes("department") || !f.department || x.department === f.department),
  );
}

function countBy(flags, key) {
  const m = new Map();
  for (const x of flags) {
    const k = key(x);
    const c = m.get(k) ?? { error: 0, warning: 0, info: 0, all: 0 };
    c[x.severity] += 1;
    c.all += 1;
    m.set(k, c);
  }
  return [...m.entries()].sort((a, b) => b[1].error - a[1].error || b[1].all - a[1].all || String(a[0]).localeCompare(String(b[0]), "zh"));
}

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
  if (value && !values.includes(value)) sel.append(h("option", { value }, value));
  sel.value = value;
}

function where(f) {
  const bp = flagBoxPage(f);
  if (!f.page) return "";
  return bp && bp !== f.page ? `p.${f.page} · cell p.${bp}` : `p.${f.page}`;
}

async function render() {
  const f = current();
  const all = await flagsOfYear(f.year);
  // Rule families as well as rules ("narrative" covers narrative.amount, narrative.share …).
  const rules = uniq(all.flatMap((x) => [x.rule, x.rule.split(".")[0]]));
  setSelect("f-rule", rules, f.rule, "all rules");
  setSelect("f-department", uniq(all.map((x) => x.department)), f.department, "all departments");

  facet($("by-rule").querySelector("tbody"), countBy(filtered(all, f, ["severity", "rule"]), (x) => x.rule), "rule", f.rule, (v) => pick("rule", v));
  facet($("by-department").querySelector("tbody"), countBy(filtered(all, f, ["severity", "department"]), (x) => x.department), "department", f.department, (v) => pick("department", v));

  const list = filtered(all, f);
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  page = Math.min(page, pages);
  const shown = list.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  $("count").textContent = `(${list.length})`;
  $("p-info").textContent = list.length === 0 ? "no flags" : `${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + shown.length} of ${list.length} · page ${page} / ${pages}`;
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
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
  if (page > 1) q.set("p", String(page));
  history.replaceState(null, "", `${location.pathname}${q.toString() ? `?${q}` : ""}`);
  Object.assign(state, { ready: true, total: list.length, page, pages, shown: shown.map((x) => ({ docId: x.docId, n: x.n, rule: x.rule })) });
  document.body.dataset.ready = "true";
}

function pick(filter, value) {
  $(`f-${filter}`).value = value;
  params.delete(filter);
  page = 1;
  void render();
}

for (const f of FILTERS) {
  $(`f-${f}`).addEventListener("change", () => {
    params.delete(f);
    page = 1;
    document.body.dataset.ready = "false";
    void render();
  });
}
$("f-clear").addEventListener("click", () => {
  for (const f of FILTERS) {
    $(`f-${f}`).value = "";
    params.delete(f);
  }
  page = 1;
  void render();
});
$("p-prev").addEventListener("click", () => {
  page -= 1;
  void render();
});
$("p-next").addEventListener("click", () => {
  page += 1;
  void render();
});
await render();
