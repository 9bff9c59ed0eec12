// Draws the host's state: mode banner, who/why/when, pending clear, alarms, campus plan, health.
import { t, has, lang } from "./i18n.js";
import { stamp, secondsUntil } from "./time.js";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "type") node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function scope(zone) {
  return zone ? t("lockdown.scope.zone", { zone }) : t("lockdown.scope.campus");
}

function word(prefix, value) {
  const key = `${prefix}.${value}`;
  return has(key) ? t(key) : String(value ?? "");
}

export function banner(state) {
  const mode = state ? state.mode : "unknown";
  document.body.dataset.mode = mode;
  $("mode-banner").textContent = word("mode", mode);
}

export function situation(state) {
  const box = $("situation");
  box.replaceChildren();
  for (const ld of state.lockdowns || []) {
    box.append(el("p", { class: "lockdown-info", text: t("lockdown.by", {
      by: ld.by, source: ld.method || ld.source, since: stamp(ld.at, lang()), reason: ld.reason || "—" }) +
      " · " + scope(ld.zone) }));
  }
  if (state.fire) {
    box.append(el("p", { text: t("fire.by", { by: state.fire.by, since: stamp(state.fire.since, lang()) }) }));
  }
  if (state.drill_info) {
    const d = state.drill_info;
    box.append(el("p", { text: t("drill.by", { kind: word("mode", d.kind === "fire" ? "fire" : "lockdown"),
      user: d.user, since: stamp(d.since, lang()), reason: d.reason }) }));
  }
}

export function clearPending(state) {
  const request = state.clear_request;
  const box = $("clear-pending");
  if (!request) { box.hidden = true; delete box.dataset.expires; return; }
  box.hidden = false;
  box.dataset.expires = request.expires_at;
  box.dataset.window = String(request.window_s);
  box.dataset.user = request.user;
  box.dataset.scope = scope(request.zone);
  box.dataset.reason = request.reason;
  tickClear();
}

export function tickClear() {
  const box = $("clear-pending");
  if (box.hidden || !box.dataset.expires) return;
  // never more than the window itself: the page's clock estimate of the host can be off by a tick
  const left = Math.min(Number(box.dataset.window) || Infinity, secondsUntil(box.dataset.expires));
  const vars = { user: box.dataset.user, scope: box.dataset.scope, reason: box.dataset.reason, left };
  $("clear-pending-text").textContent = left > 0 ? t("clear.pending", vars) : t("clear.expired", vars);
  box.dataset.left = String(left);
  $("second-guard-form").hidden = left <= 0;
}

export function alarms(state, onAck, onReset) {
  const list = $("alarm-list");
  const rows = state.alarms || [];
  $("ack-all").hidden = !rows.some((r) => r.unacknowledged);
  if (!rows.length) {
    if (!list.querySelector(".empty")) list.replaceChildren(el("li", { class: "empty", text: t("alarms.none") }));
    return;
  }
  // Keep each row's element while its alarm is unchanged: every device patch (a barrier moving)
  // re-renders the page, and a row rebuilt between a guard's mouse-down and mouse-up swallows
  // the click on Acknowledge or Reset. Only the time is updated in place (the host corrects an
  // alarm's first-seen time to its logged event's a moment after it appears).
  const kept = new Map([...list.querySelectorAll("li.alarm")].map((li) => [li.dataset.key, li]));
  const items = rows.map((row) => {
    const { since, ...rest } = row;
    const sig = lang() + JSON.stringify(rest);
    const old = kept.get(row.key);
    if (old && old.dataset.sig === sig) {
      old.querySelector(".when").textContent = stamp(since, lang());
      return old;
    }
    return alarmItem(row, sig, onAck, onReset);
  });
  const same = items.length === list.children.length && items.every((item, i) => list.children[i] === item);
  if (!same) list.replaceChildren(...items);
}

function alarmItem(row, sig, onAck, onReset) {
  const item = el("li", { class: "alarm" + (row.unacknowledged ? " unacked" : ""),
    "data-device": row.device, "data-kind": row.kind, "data-key": row.key, "data-sig": sig });
  item.append(el("span", { class: "what",
    text: `${word("alarm.kind", row.kind)} · ${row.device}${row.zone ? " (" + row.zone + ")" : ""}` }));
  if (row.detail) item.append(el("span", { class: "detail", text: row.detail }));
  item.append(el("span", { class: "when", text: stamp(row.since, lang()) }));
  item.append(el("span", { class: "tag", text: row.active ? t("alarms.active") : t("alarms.ended") }));
  if (row.unacknowledged) {
    item.append(el("span", { class: "tag unacked", text: t("alarms.unacked") }));
    const ack = el("button", { type: "button", text: t("alarms.ack"), "aria-label": `${t("alarms.ack")} ${row.device}` });
    ack.addEventListener("click", () => onAck(row.device));
    item.append(ack);
  }
  if (row.kind === "panic" && row.active) {
    const reset = el("button", { type: "button", text: t("alarms.reset"), "aria-label": `${t("alarms.reset")} ${row.device}` });
    reset.addEventListener("click", () => onReset(row.device));
    item.append(reset);
  }
  return item;
}

function ago(iso) {
  return iso ? stamp(iso, lang()) : t("plan.never");
}

export function plan(state) {
  const box = $("plan-zones");
  const alarmed = new Set((state.alarms || []).filter((a) => a.active).map((a) => a.device));
  const zones = state.zone_list || Object.keys(state.zones || {}).map((name) => ({ name, description: "" }));
  box.replaceChildren();
  for (const zone of zones) {
    const mode = (state.zones || {})[zone.name] || "normal";
    const card = el("section", { class: "zone", "data-zone": zone.name, "data-zone-mode": mode,
      "aria-label": `${zone.name} ${word("mode", mode)}` });
    card.append(el("h3", {}, el("span", { text: zone.description || zone.name, title: zone.name }),
      el("span", { class: "zmode", text: word("mode", mode) })));
    const list = el("ul", { class: "devices" });
    for (const d of (state.devices || []).filter((x) => x.zone === zone.name)) {
      const classes = ["device"];
      if (!d.online) classes.push("offline");
      if ((d.faults || []).length) classes.push("fault");
      if (alarmed.has(d.name)) classes.push("alarm");
      const item = el("li", { class: classes.join(" "), "data-device": d.name, "data-state": d.state });
      item.append(el("div", { class: "name", text: `${d.name}` }));
      const parts = [`${d.role}`, `${t("plan.state")}: ${d.online ? word("state", d.state) : t("plan.offline")}`];
      if (d.commanded) parts.push(`${t("plan.commanded")}: ${word("state", d.commanded)}`);
      if ((d.faults || []).length) parts.push(`${t("plan.faults")}: ${d.faults.join(", ")}`);
      parts.push(`${t("plan.last_contact")}: ${ago(d.last_contact)}`);
      item.append(el("div", { class: "meta", text: parts.join(" · ") }));
      list.append(item);
    }
    card.append(list);
    box.append(card);
  }
}

export function health(state) {
  const buses = $("bus-list");
  buses.replaceChildren();
  for (const [name, bus] of Object.entries(state.buses || {})) {
    buses.append(el("li", { class: bus.up ? "" : "bus-down", "data-bus": name,
      text: `${name}: ${bus.up ? t("health.bus.up") : t("health.bus.down")} · ${bus.baud} baud · ` +
        t("health.bus.cycle", { ms: bus.cycle_ms }) + " · " +
        t("health.bus.failures", { n: bus.failures, total: bus.transactions }) }));
  }
  const path = state.alarm_path || {};
  const line = $("alarm-path");
  line.classList.toggle("none", !path.configured);
  if (!path.configured) { line.textContent = t("health.alarm.none"); return; }
  const receivers = (path.receivers || []).map((r) => t("health.alarm.receiver",
    { name: r.name, state: r.up ? t("health.bus.up") : t("health.bus.down") })).join(" · ");
  line.textContent = t("health.alarm.path", { path: path.path, queued: path.queued ?? "?" }) +
    (receivers ? " — " + receivers : "");
}

export { el };
