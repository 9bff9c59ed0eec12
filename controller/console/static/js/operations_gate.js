// The gate log (外来人员和车辆登记): who is inside (or every visit), register in and out, and
// open a gate by hand through the host (outside its windows it wants a visit number or a reason).
import { call } from "./api.js";
import { t, lang } from "./i18n.js";
import { dateTime } from "./time.js";
import { el } from "./render.js";
import { cell, may, say, word } from "./operations.js";

const $ = (id) => document.getElementById(id);
let data = null;

function gates(select, names, blank) {
  const chosen = select.value;
  select.replaceChildren();
  if (blank) select.append(new Option("—", ""));
  for (const name of names) select.append(new Option(name, name));
  if (chosen) select.value = chosen;
}

function draw() {
  if (!data) return;
  $("gate-privacy").textContent = t("ops.gate.privacy", { days: data.retention_days });
  $("gate-list-h").textContent = data.all ? t("ops.gate.every") : t("ops.gate.inside");
  gates($("gate-gate"), data.gates, true);
  gates($("gate-open-gate"), data.gates, false);
  const rows = $("gate-visits");
  rows.replaceChildren();
  for (const v of data.visits) {
    const out = el("td");
    if (!v.time_out && may("register_visitors")) {
      const button = el("button", { type: "button", text: t("ops.gate.register_out"),
        "aria-label": `${t("ops.gate.register_out")} #${v.id}` });
      button.addEventListener("click", () => leave(v.id));
      out.append(button);
    }
    rows.append(el("tr", { "data-visit": String(v.id), "data-inside": v.time_out ? "no" : "yes" },
      cell(String(v.id)), cell(word("ops.gate.kind", v.kind)),
      cell([v.plate, v.name].filter(Boolean).join(" · ") || t("ops.gate.anonymous")),
      cell(v.visiting), cell(v.purpose), cell(v.gate || "—"),
      cell(dateTime(v.time_in, lang())), cell(v.time_out ? dateTime(v.time_out, lang()) : "—"),
      cell(v.registered_by), out));
  }
  if (!data.visits.length) rows.append(el("tr", {}, el("td", { colSpan: 10, class: "empty",
    text: data.all ? t("ops.gate.none_ever") : t("ops.gate.none_inside") })));
}

async function leave(id) {
  try {
    await call("POST", `/api/operations/visits/${id}/out`);
    say("gate-result", "ok", t("ops.gate.left", { id }));
  } catch (err) { say("gate-result", "error", err.message); }
  await load();
}

export async function load() {
  try {
    data = await call("GET", "/api/operations/visits" + ($("gate-all").checked ? "?all=true" : ""));
    draw();
  } catch (err) { say("gate-result", "error", err.message); }
}

export const refresh = load;
export function redraw() { draw(); }

export function wire() {
  $("gate-kind").addEventListener("change", () => {
    $("gate-plate-label").hidden = $("gate-kind").value !== "vehicle";
  });
  $("gate-all").addEventListener("change", load);
  $("gate-in-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { kind: $("gate-kind").value, visiting: $("gate-visiting").value.trim(),
      purpose: $("gate-purpose").value.trim(), name: $("gate-name").value.trim() || null,
      gate: $("gate-gate").value || null };
    if (body.kind === "vehicle") body.plate = $("gate-plate").value.trim();
    try {
      const reply = await call("POST", "/api/operations/visits", body);
      const v = reply.visit;
      say("gate-result", "ok", t("ops.gate.registered", { id: v.id,
        who: v.plate || v.name || word("ops.gate.kind", v.kind) }));
      $("gate-open-visit").value = String(v.id); // ready to open the gate for this visit
      for (const id of ["gate-name", "gate-plate", "gate-visiting", "gate-purpose"]) $(id).value = "";
    } catch (err) { say("gate-result", "error", err.message); }
    await load();
  });
  $("gate-open-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const visit = $("gate-open-visit").value.trim();
    if (visit && !/^\d+$/.test(visit)) { say("gate-open-result", "error", t("ops.gate.open.bad_visit")); return; }
    const body = { gate: $("gate-open-gate").value, reason: $("gate-open-reason").value.trim(),
      visit: visit ? Number(visit) : null };
    try {
      const reply = await call("POST", "/api/operations/gate-open", body);
      say("gate-open-result", reply.result, `${t("result." + reply.result)}: ${reply.message}`);
    } catch (err) { say("gate-open-result", "error", err.message); }
  });
}
