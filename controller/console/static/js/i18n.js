// Message catalogues (static/i18n/<lang>.json): the page's text in zh-CN or en.
const catalogues = {};
let current = "zh-CN";

export const LANGS = ["zh-CN", "en"];

export async function load(lang) {
  if (!LANGS.includes(lang)) lang = "zh-CN";
  if (!catalogues[lang]) {
    const response = await fetch(`/static/i18n/${lang}.json`);
    catalogues[lang] = await response.json();
  }
  current = lang;
  document.documentElement.lang = lang;
  return lang;
}

export function lang() { return current; }

export function has(key) { return key in (catalogues[current] || {}); }

export function t(key, vars = {}) {
  const text = (catalogues[current] || {})[key] ?? (catalogues.en || {})[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? ""));
}

export function apply(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.title = t("app.title");
}
