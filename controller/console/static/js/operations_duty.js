// Duty (值班): who is signed on now, the site's staffed windows, sign on / off as myself.
import { call } from "./api.js";
import { t, lang } from "./i18n.js";
import { dateTime } from "./time.js";
import { el } from "./render.js";
import { cell, say } from "./operations.js";

const $ = (id) => document.getElementById(id);
let data = null;

function draw() {
  if (!data) return;
  const mine = data.my_shift;
  $("duty-me").textContent = mine
    ? t("ops.duty.me.on", { post: post(mine.post), since: dateTime(mine.signed_on, lang()) })
    : t("ops.duty.me.off");
  $("duty-me").dataset.onDuty = mine ? "yes" : "no";
  $("duty-on").hidden = !!mine;
  $("duty-post").disabled = !!mine;
  $("duty-off").hidden = !mine;
  const select = $("duty-post");
  const chosen = select.value;
  select.replaceChildren(new Option(t("ops.duty.any"), "any"));
  for (const name of data.posts) select.append(new Option(name, name));
  if (chosen) select.value = chosen;
  const list = $("duty-list");
  list.replaceChildren();
  for (const s of data.on_duty) {
    list.append(el("li", { "data-operator": s.operator, text: t("ops.duty.row",
      { operator: s.operator, post: post(s.post), since: dateTime(s.signed_on, lang()) }) }));
  }
  if (!data.on_duty.length) list.append(el("li", { class: "empty", text: t("ops.duty.nobody") }));
  const rows = $("duty-windows");
  rows.replaceChildren();
  for (const w of data.windows) {
    const state = w.staffed === null ? "closed" : w.staffed ? "staffed" : "unstaffed";
    rows.append(el("tr", { "data-window": w.name, "data-staffed": state },
      cell(w.name), cell(w.start === w.end ? t("ops.duty.all_day") : `${w.start}–${w.end}`), cell(String(w.min_staff)),
      cell(w.on_duty.join(", ") || "—"),
      cell(t("ops.duty.state." + state), { class: "tag-cell " + state })));
  }
  if (!data.windows.length) rows.append(el("tr", {}, el("td", { colSpan: 5, class: "empty",
    text: t("ops.duty.no_windows") })));
}

function post(name) { return name === "any" ? t("ops.duty.any") : name; }

export async function load() {
  try { data = await call("GET", "/api/operations/duty"); draw(); } catch (err) {
    say("duty-result", "error", err.message);
  }
}

export const refresh = load;
export function redraw() { draw(); }

export function wire() {
  $("duty-on-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const reply = await call("POST", "/api/operations/duty/sign-on", { post: $("duty-post").value });
      say("duty-result", "ok", t("ops.duty.signed_on", { operator: reply.shift.operator,
        post: post(reply.shift.post) }));
    } catch (err) { say("duty-result", "error", err.message); }
    await load();
  });
  $("duty-off").addEventListener("click", async () => {
    try {
      const reply = await call("POST", "/api/operations/duty/sign-off", {});
      say("duty-result", "ok", t("ops.duty.signed_off", { operator: reply.shift.operator }));
    } catch (err) { say("duty-result", "error", err.message); }
    await load();
  });
}
