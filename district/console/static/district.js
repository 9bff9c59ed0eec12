// District console: sign in, then campuses (mode, link) and alarms newest first, live.
const TEXT = {
  en: { title: "District centre", user: "User", password: "Password", signin: "Sign in",
        signout: "Sign out", campuses: "Campuses", campus: "Campus", mode: "Mode", link: "Link",
        last_seen: "Last seen", alarms: "Alarms, newest first", online: "online",
        offline: "OFFLINE", bad: "Wrong user or password.", inspection: "This term (remote inspection)",
        drills: "Drills", alarm_count: "Alarms", troubles: "Troubles" },
  zh: { title: "区县中心", user: "用户", password: "密码", signin: "登录", signout: "退出",
        campuses: "学校", campus: "学校", mode: "模式", link: "连接", last_seen: "最后联系",
        alarms: "报警（最新在前）", online: "在线", offline: "离线", bad: "用户名或密码错误。",
        inspection: "本学期（网上巡查）", drills: "演练", alarm_count: "报警", troubles: "故障" },
};
const lang = new URLSearchParams(location.search).get("lang") === "zh" ? "zh" : "en";
const t = (key) => TEXT[lang][key] ?? key;
document.documentElement.lang = lang;
for (const el of document.querySelectorAll("[data-text]")) el.textContent = t(el.dataset.text);

const $ = (sel) => document.querySelector(sel);
let stream = null;

function beep() {
  try {
    const ctx = new AudioContext(), osc = ctx.createOscillator();
    osc.connect(ctx.destination); osc.frequency.value = 880; osc.start();
    setTimeout(() => { osc.stop(); ctx.close(); }, 400);
  } catch (_) { /* no audio device: the list still shows it */ }
}

function alarmItem(e) {
  const li = document.createElement("li");
  li.textContent = `${e.ts}  ${e.campus_id}  ${e.kind}  ${e.zone ?? ""}  ${e.message ?? ""}`;
  return li;
}

async function refresh() {
  const [campuses, alarms] = await Promise.all([
    fetch("/api/campuses").then((r) => r.ok ? r.json() : Promise.reject(r)),
    fetch("/api/events?alarms=1&limit=100").then((r) => r.ok ? r.json() : Promise.reject(r)),
  ]);
  const body = $("#campuses tbody");
  body.replaceChildren(...campuses.campuses.map((c) => {
    const tr = document.createElement("tr");
    tr.className = `mode-${c.mode}`;
    for (const [text, cls] of [[`${c.name} (${c.campus_id})`], [c.mode],
        [c.online ? t("online") : t("offline"), c.online ? "online" : "offline"], [c.last_seen ?? ""]]) {
      const td = document.createElement("td");
      td.textContent = text; if (cls) td.className = cls; tr.append(td);
    }
    return tr;
  }));
  $("#alarms").replaceChildren(...alarms.events.map(alarmItem));
  const now = new Date(), term = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() >= 7 ? 8 : 1, 1));
  const figures = await fetch(`/api/inspection?since=${term.toISOString()}`).then((r) => r.json());
  $("#inspection tbody").replaceChildren(...figures.campuses.map((c) => {
    const tr = document.createElement("tr");
    const drills = Object.entries(c.drills).map(([k, n]) => `${k} ${n}`).join(", ") || "0";
    for (const text of [c.name, drills, c.alarms, c.troubles]) {
      const td = document.createElement("td"); td.textContent = text; tr.append(td);
    }
    return tr;
  }));
}

function live() {
  stream = new EventSource("/api/stream");
  stream.onmessage = (msg) => {
    const alarms = JSON.parse(msg.data).events.filter((e) => e.alarm);
    if (alarms.length) beep();
    refresh();
  };
}

async function show(user) {
  $("#signin").hidden = true; $("#board").hidden = false; $("#signout").hidden = false;
  $("#who").textContent = user ? `${user.user} (${user.role})` : "";
  await refresh(); live();
  setInterval(refresh, 5000);  // link state (last will) changes without an event
}

$("#signin").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const r = await fetch("/api/session", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: form.get("user"), password: form.get("password") }) });
  if (!r.ok) { $("#error").textContent = t("bad"); return; }
  show(await r.json());
});
$("#signout").addEventListener("click", async () => {
  await fetch("/api/session", { method: "DELETE" }); location.reload();
});
fetch("/api/campuses").then((r) => { if (r.ok) show(null); });
