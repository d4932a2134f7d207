/* global window */
// Where the static site finds the analyst API and pdf.js. `budgetlens serve` answers /config.js
// itself; a static deployment replaces this file (e.g. api: "https://<api-host>/api",
// pdfjs: "./pdfjs" with pdfjs-dist's build/, cmaps/, standard_fonts/, wasm/ copied there).
window.BUDGETLENS = { api: "/api", pdfjs: "/pdfjs" };
