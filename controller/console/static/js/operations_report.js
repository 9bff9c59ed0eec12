// The term report (学期报告): a term of the site or a from/to range; generate, then open the
// HTML (zh-CN or English) or the JSON, served by the console behind the session.
import { call } from "./api.js";
import { t, lang } from "./i18n.js";
import { dateTime } from "./time.js";
import { el } from "./render.js";
import { say } from "./operations.js";

const $ = (id) => document.getElementById(id);
let data = null;

function link(href, text, cls) {
  return el("a", { class: "button " + cls, href, target: "_blank", rel: "noopener", text });
}

function item(r) {
  const d = r.drills;
  const range = r.term ? `${r.term} (${r.from} – ${r.to})` : `${r.from} – ${r.to}`;
  return el("li", { class: "ops-card report", "data-report": r.name },
    el("div", { class: "ops-card-head" }, el("strong", { text: range })),
    el("div", { class: "meta", text: t("ops.report.summary", {
      fire: d.fire.count, fire_t: d.fire.target ?? "—", lockdown: d.lockdown.count,
      lockdown_t: d.lockdown.target ?? "—", evac: d.evacuation.count,
      evac_t: d.evacuation.target ?? "—", open: r.hazards_open, overdue: r.hazards_overdue,
      duty: r.duty_coverage_pct ?? "—", visits: r.visits }) }),
    el("div", { class: "meta", text: t("ops.report.generated", { at: dateTime(r.generated_at, lang()) }) }),
    el("div", { class: "buttons" },
      link(r.html[lang() === "en" ? "en" : "zh-CN"], t("ops.report.open"), "open-report"),
      link(r.html[lang() === "en" ? "zh-CN" : "en"], t("ops.report.open_other"), "open-other"),
      link(r.json, t("ops.report.json"), "open-json")));
}

function draw() {
  if (!data) return;
  const select = $("report-term");
  const chosen = select.value;
  select.replaceChildren(new Option(t("ops.report.range"), ""));
  for (const term of data.terms) select.append(new Option(`${term.name} (${term.from} – ${term.to})`, term.name));
  select.value = chosen || (data.terms.length ? data.terms[data.terms.length - 1].name : "");
  ranged();
  const list = $("report-list");
  list.replaceChildren();
  for (const r of data.reports) list.append(item(r));
  if (!data.reports.length) list.append(el("li", { class: "empty", text: t("ops.report.none") }));
}

function ranged() {
  const range = !$("report-term").value;
  $("report-from").disabled = !range;
  $("report-to").disabled = !range;
}

export async function load() {
  try { data = await call("GET", "/api/operations/reports"); draw(); } catch (err) {
    say("report-result", "error", err.message);
  }
}

export function redraw() { draw(); }

export function wire() {
  $("report-term").addEventListener("change", ranged);
  $("report-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const term = $("report-term").value;
    const body = term ? { term } : { from: $("report-from").value || null, to: $("report-to").value || null };
    say("report-result", "working", t("ops.report.working"));
    $("report-generate").disabled = true;
    try {
      const reply = await call("POST", "/api/operations/reports", body);
      say("report-result", "ok", t("ops.report.done", { name: reply.report.name }));
    } catch (err) { say("report-result", "error", err.message); }
    $("report-generate").disabled = false;
    await load();
  });
}
