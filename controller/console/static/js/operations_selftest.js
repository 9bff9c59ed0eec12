// Self-tests (自检): every smoke detector and panic station, its last passed test and whether it
// is overdue; start one through the host (it refuses outside normal mode and says why).
import { call } from "./api.js";
import { t, lang } from "./i18n.js";
import { dateTime } from "./time.js";
import { el } from "./render.js";
import { cell, may, say, who, word } from "./operations.js";

const $ = (id) => document.getElementById(id);
let data = null;

function draw() {
  if (!data) return;
  const plan = data.smoke_schedule;
  $("selftests-note").textContent = t("ops.selftests.note", { days: data.selftest_days }) + " " +
    (plan ? t("ops.selftests.scheduled", { days: plan.days.map((d) => t("day." + d)).join(" "),
      start: plan.start, end: plan.end }) : t("ops.selftests.by_hand"));
  const rows = $("selftest-devices");
  rows.replaceChildren();
  for (const d of data.devices) {
    const status = d.running ? "running" : d.overdue ? "overdue" : "ok";
    const start = el("button", { type: "button", text: t("ops.selftests.start"),
      "aria-label": `${t("ops.selftests.start")} ${d.name}` });
    start.disabled = d.running;
    start.addEventListener("click", () => begin(d.name));
    const action = !d.startable ? el("span", { class: "ops-note", text: t("ops.selftests.at_device") })
      : may("selftest") ? start : el("span", { class: "ops-note", text: t("ops.selftests.ask", { who: who("selftest") }) });
    rows.append(el("tr", { "data-device": d.name, "data-status": status },
      cell(`${d.name} (${word("alarm.kind", d.role)})`), cell(d.zone),
      cell(d.last_pass ? dateTime(d.last_pass, lang()) : t("ops.selftests.never")),
      cell(d.last_result ? t("ops.selftests.result." + d.last_result) : "—",
        { title: d.last_message || "" }),
      cell(t("ops.selftests.status." + status), { class: "tag-cell " + status }),
      el("td", {}, action)));
  }
}

async function begin(device) {
  try {
    const reply = await call("POST", "/api/operations/selftests", { device });
    say("selftest-result", reply.result, `${t("result." + reply.result)}: ${reply.message}`);
  } catch (err) { say("selftest-result", "error", err.message); }
  await load();
}

export async function load() {
  try { data = await call("GET", "/api/operations/selftests"); draw(); } catch (err) {
    say("selftest-result", "error", err.message);
  }
}

export const refresh = load;
export function redraw() { draw(); }
export function wire() {}
