/* global document, URLSearchParams, location */
// One department over the years: every table row side by side (one column of the table at a time,
// chosen per table), the change between consecutive filings in 元, the changes the filings state,
// and headcount with what each filing claimed against what the filings themselves give.
import { getJson, h, KIND_LABEL } from "./api.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const department = params.get("name") ?? "";
const kind = params.get("kind") ?? "budget";
$("kind").value = kind;
$("kind").addEventListener("change", () => (location.search = `?name=${encodeURIComponent(department)}&kind=${$("kind").value}`));
$("title").textContent = `${department} — ${KIND_LABEL[kind] ?? kind}`;
const enc = encodeURIComponent(department);
const sign = (n) => (n === undefined || n === null ? "" : n > 0 ? `+${n}` : String(n));

try {
  const [yoy, head] = await Promise.all([getJson(`/departments/${enc}/years`, { kind }), getJson(`/departments/${enc}/headcount`, { kind })]);
  for (const y of head.items) {
    const checks = [...y.mismatches.map((m) => `${m}: stated change ≠ filings`), y.actualMismatch ? "实有人数 ≠ 在职+退休+离休" : ""].filter(Boolean);
    $("headcount").querySelector("tbody").append(
      h("tr", { class: checks.length ? "sev-warning" : undefined },
        h("td", {}, y.year), h("td", { class: "num" }, y.establishment ?? ""), h("td", { class: "num" }, y.actual ?? ""),
        h("td", { class: "num" }, y.inService ?? ""), h("td", { class: "num" }, sign(y.claimed.inService)), h("td", { class: "num" }, sign(y.computed.inService)),
        h("td", { class: "num" }, y.retired ?? ""), h("td", { class: "num" }, sign(y.claimed.retired)), h("td", { class: "num" }, sign(y.computed.retired)),
        h("td", { class: "num" }, y.retiredCadre ?? ""), h("td", {}, checks.join("; ") || "ok")),
    );
  }
  for (const s of yoy.stated) {
    $("stated").querySelector("tbody").append(
      h("tr", {}, h("td", {}, s.year), h("td", {}, h("a", { href: `doc.html?id=${s.docId}&page=${s.page}` }, `p.${s.page}`)), h("td", {}, s.subject),
        h("td", { class: "num" }, `${s.amount} ${s.unit}`), h("td", {}, `${s.direction} ${s.changeAmount ?? ""} ${s.changePercent ? `${s.changePercent}%` : ""} (vs ${s.base})`)),
    );
  }
  for (const f of yoy.yearFlags) $("yearflags").append(h("p", { class: `sev-${f.severity}` }, `${f.year} ${f.rule}: ${f.message}`));

  for (const t of yoy.tables) {
    if (t.columns.length === 0) continue;
    const select = h("select", {}, t.columns.map((c) => h("option", { value: c }, c)));
    const host = h("div");
    const render = () => {
      const col = select.value;
      const tbody = h("tbody");
      for (const r of t.rows) {
        const byYear = r.values[col];
        if (!byYear) continue;
        const ch = r.changes[col] ?? [];
        tbody.append(
          h("tr", { class: r.isTotal ? "total" : undefined },
            h("td", {}, r.code ?? ""), h("td", {}, r.label.filter((p) => p.replace(/\s+/g, "") !== r.code).join(" ")),
            yoy.years.map((y) => {
              const v = byYear[y];
              return h("td", { class: "num" }, v ? h("a", { href: `doc.html?id=${v.docId}&page=${v.page}`, title: `${v.yuan} 元` }, `${v.text} ${v.unit ?? ""}`) : "");
            }),
            h("td", { class: "num" }, ch.map((c) => `${c.from}→${c.to}: ${c.yuan} 元${c.percent ? ` (${c.percent}%)` : ""}`).join("; ")),
          ),
        );
      }
      host.replaceChildren(h("table", { class: "list" }, h("thead", {}, h("tr", {}, h("th", {}, "code"), h("th", {}, "row"), yoy.years.map((y) => h("th", {}, y)), h("th", {}, "change"))), tbody));
    };
    select.addEventListener("change", render);
    render();
    $("tables").append(h("h4", {}, `${t.title} `, h("span", { class: "muted" }, `[${t.kind}] column: `), select), host);
  }
} catch (e) {
  $("tables").append(h("p", { class: "sev-error" }, String(e.message ?? e)));
}
document.body.dataset.ready = "true";
