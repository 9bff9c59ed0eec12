// What a guard can do from the page: each action is one API call; the reply (what the host
// decided, after its events are durable) is shown, and the devices' answers arrive on the stream.
import { call } from "./api.js";
import { t } from "./i18n.js";
import { scope } from "./render.js";

const $ = (id) => document.getElementById(id);
let pendingConfirm = null;

export function show(reply) {
  const box = $("action-result");
  box.className = "result " + (reply.result === "refused" ? "refused" : "ok");
  box.textContent = `${t("result." + reply.result)}: ${reply.message}`;
  box.dataset.result = reply.result;
}

function showError(err) {
  const box = $("action-result");
  box.className = "result refused";
  box.textContent = err.message;
  box.dataset.result = "error";
}

async function run(path, body) {
  try { show(await call("POST", path, body)); } catch (err) { showError(err); }
}

function need(id, key) {
  const value = $(id).value.trim();
  if (!value) { showError(new Error(t(key))); $(id).focus(); return null; }
  return value;
}

function confirmStep(question, yesText, action) {
  $("action-confirm-q").textContent = question;
  $("action-confirm-yes").textContent = yesText;
  $("action-confirm").hidden = false;
  pendingConfirm = action;
  $("action-confirm-yes").focus();
}

export function zones(list) {
  const select = $("action-zone");
  const chosen = select.value;
  select.replaceChildren(new Option(t("actions.zone.campus"), ""));
  for (const z of list || []) select.append(new Option(z.description ? `${z.name} — ${z.description}` : z.name, z.name));
  select.value = chosen;
}

export function ack(device) { return run("/api/ack", { device, reason: "" }); }

export function reset(device) {
  const pin = need("action-pin", "actions.need_pin");
  if (pin) return run("/api/reset", { device, pin, reason: "reset from the guard console" });
}

export function wire(getState) {
  const zone = () => $("action-zone").value || null;
  $("act-lockdown").addEventListener("click", () => {
    const text = t("actions.lockdown.confirm", { scope: scope(zone()) });
    confirmStep(text, text, () => run("/api/lockdown", { zone: zone(), reason: $("action-reason").value.trim() }));
  });
  $("act-clear").addEventListener("click", () => {
    const reason = need("action-reason", "actions.need_reason");
    const pin = reason && need("action-pin", "actions.need_pin");
    if (pin) run("/api/clear", { zone: zone(), reason, pin }).then(() => { $("action-pin").value = ""; });
  });
  for (const [id, kind] of [["act-drill-fire", "fire"], ["act-drill-lockdown", "lockdown"], ["act-drill-end", "end"]]) {
    $(id).addEventListener("click", () => {
      const reason = need("action-reason", "actions.need_reason");
      const pin = reason && need("action-pin", "actions.need_pin");
      if (pin) run("/api/drill", { kind, reason, pin });
    });
  }
  $("act-fire-confirm").addEventListener("click", () => {
    const reason = need("action-reason", "actions.need_reason");
    const pin = reason && need("action-pin", "actions.need_pin");
    if (pin) confirmStep(t("actions.fire_confirm") + "?", t("actions.fire_confirm"),
      () => run("/api/fire-confirm", { reason, pin }));
  });
  $("action-confirm-yes").addEventListener("click", () => {
    $("action-confirm").hidden = true;
    const action = pendingConfirm;
    pendingConfirm = null;
    if (action) action();
  });
  $("action-confirm-no").addEventListener("click", () => {
    $("action-confirm").hidden = true;
    pendingConfirm = null;
  });
  $("ack-all").addEventListener("click", () => run("/api/ack", { device: null, reason: "" }));
  $("second-guard-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const request = (getState() || {}).clear_request;
    if (!request) return;
    run("/api/clear", { zone: request.zone, reason: `second guard confirms: ${request.reason}`,
      pin: $("second-pin").value, user: $("second-user").value.trim() })
      .then(() => { $("second-pin").value = ""; });
  });
}
