/* global document, URLSearchParams, location */
// One classification (or economic) code across every department and year: a department × year
// pivot of one column (default 合计) and every printed row carrying the code, each linked to the
// place in its PDF.
import { getAll, h, KIND_LABEL } from "./api.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const code = params.get("code") ?? "";
const scheme = params.get("scheme") ?? "functional";
const column = params.get("column") ?? "";
$("code").value = code;
$("scheme").value = scheme;
$("column").value = column;

const norm = (s) => s.replace(/\s+/g, "");
if (code) {
  const rows = await getAll("/amounts", { code, scheme });
  $("title").textContent = `${code} (${scheme}) — ${rows.length} printed row(s)`;
  // Pivot: department × year, the first row per document of the first table kind printing the code.
  const wanted = norm(column || "合计");
  const years = [...new Set(rows.map((r) => r.year ?? 0))].sort();
  const byDept = new Map();
  for (const r of rows) {
    const v = r.values.find((x) => x.path.some((p) => norm(p).includes(wanted))) ?? (column ? undefined : r.values[0]);
    if (!v) continue;
    const m = byDept.get(r.department) ?? new Map();
    const key = r.year ?? 0;
    if (!m.has(key)) m.set(key, { r, v });
    byDept.set(r.department, m);
  }
  $("pivot").querySelector("thead").append(h("tr", {}, h("th", {}, "department"), years.map((y) => h("th", {}, y || "?"))));
  for (const [dep, m] of [...byDept].sort((a, b) => a[0].localeCompare(b[0], "zh"))) {
    $("pivot").querySelector("tbody").append(
      h("tr", {}, h("td", {}, dep), years.map((y) => {
        const e = m.get(y);
        return h("td", { class: "num" }, e ? h("a", { href: `doc.html?id=${e.r.docId}&page=${e.r.page}`, title: `${e.r.table} ${e.v.path.join("/")} (${e.r.unit ?? ""})` }, `${e.v.text} ${e.r.unit ?? ""}`) : "");
      })),
    );
  }
  for (const r of rows) {
    $("rows").querySelector("tbody").append(
      h("tr", {},
        h("td", {}, r.department), h("td", {}, r.year ?? "?"), h("td", {}, KIND_LABEL[r.docType] ?? r.docType),
        h("td", {}, r.table), h("td", {}, r.label.join(" ")), h("td", {}, r.unit ?? ""),
        h("td", {}, r.values.map((v) => `${v.path.at(-1) ?? "?"}: ${v.text}`).join("  ·  ")),
        h("td", {}, h("a", { href: `doc.html?id=${r.docId}&page=${r.page}` }, `p.${r.page}`)),
      ),
    );
  }
  if (rows.length === 0) $("rows").querySelector("tbody").append(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "no stored row prints this code")));
}
document.body.dataset.ready = "true";
