// The hazard register (隐患登记): open entries (overdue marked) or all; add one; close one with a
// note (supervisors and technicians). A late close says "after its deadline".
import { call } from "./api.js";
import { t, lang } from "./i18n.js";
import { dateTime } from "./time.js";
import { el } from "./render.js";
import { may, say, who, word } from "./operations.js";

const $ = (id) => document.getElementById(id);
let data = null;

function card(h) {
  const state = h.open ? (h.overdue ? "overdue" : "open") : (h.closed_late ? "closed-late" : "closed");
  const item = el("li", { class: "ops-card hazard " + state, "data-hazard": String(h.id),
    "data-state": state });
  const head = el("div", { class: "ops-card-head" },
    el("span", { class: "tag " + h.severity, text: word("ops.hazards", h.severity) }),
    el("strong", { text: `#${h.id} ${h.title}` }));
  if (h.overdue) head.append(el("span", { class: "tag overdue", text: t("ops.hazards.overdue") }));
  item.append(head);
  item.append(el("div", { class: "meta", text: t("ops.hazards.meta", { owner: h.owner,
    deadline: dateTime(h.deadline, lang()), by: h.opened_by, at: dateTime(h.opened_at, lang()),
    device: h.device ? ` · ${h.device}` : "" }) }));
  if (!h.open) {
    item.append(el("div", { class: "meta closed", text: t(h.closed_late ? "ops.hazards.closed_late"
      : "ops.hazards.closed_in_time", { by: h.closed_by, at: dateTime(h.closed_at, lang()),
      note: h.note }) }));
  } else if (may("close_hazards")) {
    const form = el("form", { class: "inline-form close-form" });
    const label = el("label", {}, el("span", { text: t("ops.hazards.note") }));
    const note = el("input", { autocomplete: "off", maxLength: 1000, required: true,
      "aria-label": `${t("ops.hazards.note")} #${h.id}` });
    note.className = "hazard-note";
    label.append(note);
    form.append(label, el("button", { type: "submit", text: t("ops.hazards.close") }));
    form.addEventListener("submit", (e) => { e.preventDefault(); close(h.id, note.value.trim()); });
    item.append(form);
  }
  return item;
}

function draw() {
  if (!data) return;
  $("hazard-list-h").textContent = data.all ? t("ops.hazards.every") : t("ops.hazards.open");
  const list = $("hazard-list");
  list.replaceChildren();
  for (const h of data.hazards) list.append(card(h));
  if (!data.hazards.length) list.append(el("li", { class: "empty",
    text: data.all ? t("ops.hazards.none_ever") : t("ops.hazards.none_open") }));
  const note = $("hazard-close-note");
  note.hidden = may("close_hazards") || !data.hazards.some((h) => h.open);
  note.textContent = t("ops.hazards.close_who", { who: who("close_hazards") });
  $("hazard-owner").placeholder = data.hazard_owner || "";
  $("hazard-days").placeholder = String(data.hazard_days);
}

async function close(id, note) {
  if (!note) { say("hazard-result", "error", t("ops.hazards.need_note")); return; }
  try {
    const reply = await call("POST", `/api/operations/hazards/${id}/close`, { note });
    say("hazard-result", "ok", t(reply.late ? "ops.hazards.closed_now_late" : "ops.hazards.closed_now",
      { id, by: reply.hazard.closed_by }));
  } catch (err) { say("hazard-result", "error", err.message); }
  await load();
}

export async function load() {
  try {
    data = await call("GET", "/api/operations/hazards" + ($("hazard-all").checked ? "?all=true" : ""));
    draw();
  } catch (err) { say("hazard-result", "error", err.message); }
}

// Not while someone is writing a closing note: a refresh would throw their words away.
export async function refresh() {
  const typing = [...document.querySelectorAll(".hazard-note")].some((i) => i.value);
  if (!typing) await load();
}

export function redraw() { draw(); }

export function wire() {
  $("hazard-all").addEventListener("change", load);
  $("hazard-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { title: $("hazard-title").value.trim(), severity: $("hazard-severity").value };
    const owner = $("hazard-owner").value.trim();
    const days = $("hazard-days").value.trim();
    const deadline = $("hazard-deadline").value;
    if (owner) body.owner = owner;
    if (days) body.days = Number(days);
    if (deadline) body.deadline = deadline;
    try {
      const reply = await call("POST", "/api/operations/hazards", body);
      const h = reply.hazard;
      say("hazard-result", "ok", t("ops.hazards.added", { id: h.id, owner: h.owner,
        deadline: dateTime(h.deadline, lang()) }));
      for (const id of ["hazard-title", "hazard-owner", "hazard-days", "hazard-deadline"]) $(id).value = "";
    } catch (err) { say("hazard-result", "error", err.message); }
    await load();
  });
}
