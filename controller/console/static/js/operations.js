// The operations pages (duty, gate log, hazards, self-tests, term report) as tabs beside the
// live view. The live view stays the main one: the mode banner and a pending clear stay above
// the tabs, the alarm sound keeps going whatever tab is shown, and on an operations tab an
// alarm strip says what is alarming with a button back to the live view.
import { call } from "./api.js";
import { t, has } from "./i18n.js";
import { el } from "./render.js";
import * as duty from "./operations_duty.js";
import * as gate from "./operations_gate.js";
import * as hazards from "./operations_hazards.js";
import * as selftests from "./operations_selftest.js";
import * as report from "./operations_report.js";

const $ = (id) => document.getElementById(id);
const PAGES = { duty, gate, hazards, selftests, report };
const REFRESH_MS = 15000; // duty windows open and close, hazards fall overdue: keep it current
let access = null;
let lastState = null;
let timer = null;

export function current() { return document.body.dataset.tab || "live"; }

export function may(action) { return !!(access && access.may && access.may[action]); }

export function who(action) {
  return ((access && access.who && access.who[action]) || []).map((r) => t("role." + r)).join(" / ");
}

// A reply or an error in a result line: data-result ok | refused | error (tests read it).
export function say(id, result, text) {
  const box = $(id);
  box.className = "result " + (result === "ok" || result === "done" ? "ok" : "refused");
  box.dataset.result = result;
  box.textContent = text;
}

export function word(prefix, value) {
  const key = `${prefix}.${value}`;
  return has(key) ? t(key) : String(value ?? "");
}

export function cell(text, attrs = {}) { return el("td", { ...attrs, text: text ?? "—" }); }

function applyAccess() {
  for (const form of document.querySelectorAll("[data-may]")) {
    form.hidden = !may(form.dataset.may);
  }
}

async function show(tab, fromHash = false) {
  if (!(tab in PAGES) && tab !== "live") tab = "live";
  document.body.dataset.tab = tab;
  for (const pane of document.querySelectorAll(".pane")) pane.hidden = pane.dataset.pane !== tab;
  for (const button of document.querySelectorAll("#tabs .tab")) {
    button.setAttribute("aria-current", button.dataset.tab === tab ? "page" : "false");
  }
  if (!fromHash) history.replaceState(null, "", tab === "live" ? location.pathname + location.search
    : `#${tab}`);
  alarms(lastState);
  if (tab !== "live") await reload();
}

export async function reload() {
  const page = PAGES[current()];
  if (!page) return;
  try { await page.load(); } catch (err) { /* the page's own result line says it */ }
}

// The alarm strip: shown on an operations tab while any alarm is active or unacknowledged (the
// mode banner above the tabs already shows a lockdown, a fire or a drill on every tab).
export function alarms(state) {
  lastState = state;
  const strip = $("alarm-strip");
  const rows = ((state && state.alarms) || []).filter((a) => a.active || a.unacknowledged);
  const show = current() !== "live" && rows.length > 0;
  strip.hidden = !show;
  document.body.dataset.alarmStrip = show ? "yes" : "no";
  if (!show) return;
  const first = rows.find((a) => a.unacknowledged) || rows[0];
  $("alarm-strip-text").textContent = t("ops.alarm.strip", { n: rows.length,
    what: `${word("alarm.kind", first.kind)} · ${first.device}`, mode: word("mode", state.mode) });
}

export async function signedIn() {
  try { access = await call("GET", "/api/operations/access"); } catch (_) { access = null; }
  applyAccess();
  const asked = location.hash.replace("#", "");
  await show(asked in PAGES ? asked : "live", true);
}

export function signedOut() {
  access = null;
  lastState = null;
  document.body.dataset.tab = "live";
}

export function redraw() {
  for (const page of Object.values(PAGES)) if (page.redraw) page.redraw();
  alarms(lastState);
}

export function wire() {
  for (const button of document.querySelectorAll("#tabs .tab")) {
    button.addEventListener("click", () => show(button.dataset.tab));
  }
  $("alarm-strip-show").addEventListener("click", () => show("live"));
  window.addEventListener("hashchange", () => show(location.hash.replace("#", "") || "live", true));
  for (const page of Object.values(PAGES)) page.wire();
  clearInterval(timer);
  timer = setInterval(() => {
    const page = PAGES[current()];
    if (page && page.refresh && !document.hidden) page.refresh().catch(() => {});
  }, REFRESH_MS);
}
