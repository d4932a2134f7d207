/* global document */
// Document list: every stored filing with its status and flag counts, filterable.
import { getAll, h, KIND_LABEL } from "./api.js";

const docs = await getAll("/documents");
const failed = await getAll("/documents", { status: "FAILED" });
const $ = (id) => document.getElementById(id);

const uniq = (xs) => [...new Set(xs)].sort();
for (const d of uniq(docs.map((d) => d.department ?? "?"))) $("f-department").append(h("option", { value: d }, d));
for (const y of uniq(docs.map((d) => String(d.year ?? "?")))) $("f-year").append(h("option", { value: y }, y));

function render() {
  const dep = $("f-department").value;
  const year = $("f-year").value;
  const kind = $("f-kind").value;
  const sup = $("f-superseded").checked;
  const body = $("docs").querySelector("tbody");
  body.replaceChildren();
  for (const d of docs) {
    if (dep && (d.department ?? "?") !== dep) continue;
    if (year && String(d.year ?? "?") !== year) continue;
    if (kind && d.docType !== kind) continue;
    if (!sup && !d.current) continue;
    const f = d.flagCounts ?? { error: 0, warning: 0, info: 0 };
    body.append(
      h("tr", { dataset: { docId: d.docId } },
        h("td", {}, h("a", { href: `doc.html?id=${d.docId}` }, d.department ?? "?"), " ", h("a", { href: `dept.html?name=${encodeURIComponent(d.department ?? "")}&kind=${d.docType}`, class: "muted", title: "this department over the years" }, "years")),
        h("td", {}, d.year ?? "?"),
        h("td", {}, KIND_LABEL[d.docType] ?? d.docType),
        h("td", {}, d.status + (d.current ? "" : " (superseded)")),
        h("td", { class: "num" }, d.counts?.tables ?? ""),
        h("td", { class: `num ${f.error ? "sev-error" : ""}` }, f.error),
        h("td", { class: `num ${f.warning ? "sev-warning" : ""}` }, f.warning),
        h("td", { class: "num" }, f.info),
        h("td", {}, d.fileName),
      ),
    );
  }
}
for (const id of ["f-department", "f-year", "f-kind", "f-superseded"]) $(id).addEventListener("change", render);
render();
const fb = $("failed").querySelector("tbody");
for (const d of failed) fb.append(h("tr", {}, h("td", {}, d.fileName), h("td", {}, `${d.failure?.code ?? ""}: ${d.failure?.message ?? ""}`), h("td", {}, d.ingestedAt)));
if (failed.length === 0) fb.append(h("tr", {}, h("td", { colspan: 3, class: "muted" }, "none")));
document.body.dataset.ready = "true";
