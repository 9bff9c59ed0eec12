// The guard console page: sign-in screen with the emergency Lockdown, then the live view.
import { call, setCsrf } from "./api.js";
import * as i18n from "./i18n.js";
import * as time from "./time.js";
import * as sound from "./sound.js";
import * as render from "./render.js";
import * as timeline from "./timeline.js";
import * as actions from "./actions.js";
import * as operations from "./operations.js";
import { connect } from "./stream.js";

const $ = (id) => document.getElementById(id);
let config = null;
let me = null;
let state = null;
let live = null;

function langKey() { return `cg.lang.${me ? me.user : "_"}`; }

function chosenLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked && i18n.LANGS.includes(asked)) return asked;
  return localStorage.getItem(langKey()) || (config && config.locale) || "zh-CN";
}

async function setLang(lang) {
  await i18n.load(lang);
  $("lang-select").value = i18n.lang();
  i18n.apply();
  sound.show();
  if (state) draw();
  if (me) timeline.reload().catch(() => {});
  if (me) operations.redraw();
}

function draw() {
  render.banner(state);
  render.situation(state);
  render.clearPending(state);
  render.alarms(state, actions.ack, actions.reset);
  render.plan(state);
  render.health(state);
  actions.zones(state.zone_list);
  sound.alarming((state.alarms || []).some((a) => a.unacknowledged));
  operations.alarms(state); // on an operations tab: the alarm strip
}

function setView(view) {
  document.body.dataset.view = view;
  $("signin-view").hidden = view !== "signin";
  $("main-view").hidden = view !== "main";
  $("sign-out").hidden = view !== "main";
}

function connection(ok, text) {
  const bar = $("conn-banner");
  document.body.classList.toggle("stale", !ok);
  document.body.dataset.connection = ok ? "live" : "lost";
  bar.hidden = ok && !text;
  bar.textContent = ok ? (text || "") : i18n.t("conn.lost");
  if (ok && text) setTimeout(() => { if (document.body.dataset.connection === "live") bar.hidden = true; }, 3000);
}

function showSignIn(note = "") {
  if (live) { live.stop(); live = null; }
  me = null;
  state = null;
  operations.signedOut();
  sound.alarming(false);
  setCsrf(null);
  $("who").textContent = "";
  $("signin-note").textContent = note;
  document.body.dataset.mode = "unknown";
  delete document.body.dataset.connection;
  $("conn-banner").hidden = true;
  document.body.classList.remove("stale");
  setView("signin");
}

async function signedIn(info) {
  me = info;
  setCsrf(info.csrf_token);
  $("who").textContent = `${info.user} (${i18n.t("role." + info.role)})`;
  setView("main");
  await setLang(chosenLang());
  await operations.signedIn();
  live = connect({
    state: (full, wasLost) => {
      state = full;
      time.setHostNow(full.now);
      draw();
      connection(true, wasLost ? i18n.t("conn.back") : "");
      if (wasLost) timeline.reload().catch(() => {});
    },
    patch: (changes) => { if (state) { Object.assign(state, changes); draw(); } },
    events: (events) => timeline.add(events),
    heartbeat: (beat) => {
      if (beat.now) time.setHostNow(beat.now);
      if (state && beat.buses) { state.buses = beat.buses; render.health(state); }
      if (state && beat.last_contact) {
        state.last_contact = beat.last_contact;
        for (const d of state.devices || []) d.last_contact = beat.last_contact[d.name] ?? d.last_contact;
        render.plan(state);
      }
    },
    lost: () => connection(false),
    signedOut: () => showSignIn(i18n.t("signin.expired")),
    closed: async () => {
      try { await call("GET", "/api/session"); return true; } catch (err) {
        if (err.status === 401) { showSignIn(i18n.t("signin.expired")); return false; }
        return true; // the host is still away: keep trying
      }
    },
  });
}

function wireSignIn() {
  $("lockdown-now").addEventListener("click", () => {
    $("lockdown-now-confirm").hidden = false;
    $("lockdown-now-yes").focus();
  });
  $("lockdown-now-no").addEventListener("click", () => {
    $("lockdown-now-confirm").hidden = true;
    $("lockdown-now").focus();
  });
  $("lockdown-now-yes").addEventListener("click", async () => {
    $("lockdown-now-confirm").hidden = true;
    const out = $("lockdown-now-result");
    try {
      const reply = await call("POST", "/api/lockdown",
        { zone: null, reason: "emergency lockdown from the console sign-in screen" });
      out.textContent = `${i18n.t("result." + reply.result)}: ${reply.message}`;
      out.dataset.result = reply.result;
    } catch (err) {
      out.textContent = err.message;
      out.dataset.result = "error";
    }
  });
  $("signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    sound.unlock(); // a user gesture: browsers let the alarm sound from now on
    $("signin-error").textContent = "";
    try {
      const info = await call("POST", "/api/session",
        { user: $("signin-user").value.trim(), password: $("signin-password").value });
      $("signin-password").value = "";
      await signedIn(info);
    } catch (err) {
      $("signin-error").textContent = err.message;
    }
  });
}

async function boot() {
  wireSignIn();
  actions.wire(() => state);
  timeline.wire();
  operations.wire();
  $("sound-enable").addEventListener("click", () => sound.unlock());
  document.addEventListener("keydown", (e) => { // Escape backs out of any confirm step
    if (e.key !== "Escape") return;
    for (const id of ["lockdown-now-confirm", "action-confirm"]) $(id).hidden = true;
  });
  $("lang-select").addEventListener("change", (e) => {
    localStorage.setItem(langKey(), e.target.value);
    setLang(e.target.value);
  });
  $("sign-out").addEventListener("click", async () => {
    try { await call("DELETE", "/api/session"); } catch (_) { /* signed out either way */ }
    showSignIn();
  });
  try { config = await call("GET", "/api/config"); } catch (_) { config = null; }
  if (config) {
    time.setZone(config.time_zone);
    $("site-name").textContent = config.site;
  }
  await setLang(chosenLang());
  setInterval(() => { $("clock").textContent = time.clock(i18n.lang()); render.tickClear(); }, 1000);
  $("clock").textContent = time.clock(i18n.lang());
  try { await signedIn(await call("GET", "/api/session")); } catch (_) { showSignIn(); }
}

boot();
