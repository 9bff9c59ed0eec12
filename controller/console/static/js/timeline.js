// The event timeline: filters, live additions from the stream, CSV export of the same filter.
import { call } from "./api.js";
import { t, has, lang } from "./i18n.js";
import { stamp } from "./time.js";
import { el, scope } from "./render.js";

const MAX_ROWS = 400;
const $ = (id) => document.getElementById(id);
let filter = { kind: "", since: "" };

// In English the host's own sentence is shown (it carries the details); in Chinese the kind's
// catalogue entry, filled from the event's fields, when there is one.
export function message(ev) {
  const key = `ev.${ev.kind}`;
  if (lang() === "en" || !has(key)) return ev.message;
  const data = ev.data || {};
  const state = data.state ? (has(`state.${data.state}`) ? t(`state.${data.state}`) : data.state) : "";
  const action = data.action ? (has(`action.${data.action}`) ? t(`action.${data.action}`) : data.action) : "";
  return t(key, { device: ev.device || "", zone: ev.zone || "", user: ev.user || data.user || "—",
    scope: scope(ev.zone), state, action, message: ev.message });
}

function matches(ev) {
  if (filter.kind && ev.kind !== filter.kind && !ev.kind.startsWith(filter.kind + ".")) return false;
  return true;
}

function row(ev) {
  return el("li", { class: ev.drill ? "drill" : "", "data-kind": ev.kind, "data-id": String(ev.id) },
    el("span", { class: "ts", text: stamp(ev.ts, lang()) }),
    el("span", { class: "kind", text: ev.kind + (ev.drill ? " (drill)" : "") }),
    el("span", { class: "msg", text: message(ev) }));
}

function query() {
  const params = new URLSearchParams();
  if (filter.kind) params.set("kind", filter.kind);
  if (filter.since) params.set("since", filter.since); // datetime-local: site-local time
  params.set("limit", "200");
  return params.toString();
}

export async function reload() {
  const data = await call("GET", "/api/events?" + query());
  const list = $("event-list");
  list.replaceChildren();
  for (const ev of data.events.slice().reverse()) list.append(row(ev));
  if (!data.events.length) list.append(el("li", { class: "empty", text: t("timeline.empty") }));
  $("timeline-csv").href = "/api/events.csv?" + query();
}

export function add(events) {
  const list = $("event-list");
  const empty = list.querySelector(".empty");
  for (const ev of events) {
    if (!matches(ev) || (filter.since && ev.ts < filter.since)) continue;
    if (empty) empty.remove();
    list.prepend(row(ev));
  }
  while (list.children.length > MAX_ROWS) list.lastChild.remove();
}

export function wire() {
  $("timeline-form").addEventListener("submit", (e) => {
    e.preventDefault();
    filter = { kind: $("timeline-kind").value, since: $("timeline-since").value };
    reload().catch(() => {});
  });
}
