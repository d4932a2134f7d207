/* global window */
// The site's navigation header, in one place: each page has `<header data-nav>` holding only what is
// its own (a title span), and this module — imported by api.js, which every page's script imports —
// puts the name, the links and the (hidden) sign-out link around it before auth.js wires sign-out.
// A script rather than a copied block or an include: the site is served as files, no build step
// (scripts/buildSite.ts copies web/ as is; the CSP allows scripts from the site only, no inline ones).
export const NAV_LINKS = [
  ["index.html", "documents"],
  ["flags.html", "flags"],
  ["code.html", "one code across departments"],
];

export function renderNav(document = window.document) {
  const header = document.querySelector("header[data-nav]");
  if (!header || header.dataset.rendered) return;
  const here = document.location.pathname.split("/").pop() || "index.html";
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.textContent = text;
    return e;
  };
  header.prepend(el("strong", {}, "budgetlens"), ...NAV_LINKS.map(([href, text]) => el("a", href === here ? { href, "aria-current": "page" } : { href }, text)));
  const logout = el("a", { href: "#", id: "logout", class: "logout" }, "sign out");
  logout.hidden = true;
  header.append(logout);
  header.dataset.rendered = "true";
}

renderNav();
