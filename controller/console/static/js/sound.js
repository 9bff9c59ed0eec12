// The audible alert (Web Audio). Browsers may block sound until someone touches the page: then a
// "tap to enable sound" control and a muted indicator are shown. Every attempt to sound is
// recorded on <body> (data-sound-attempts, data-sound-state) so a test can see it happened.
import { t } from "./i18n.js";

let ctx = null;
let timer = null;

function context() {
  if (!ctx) {
    const Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return null;
    ctx = new Ctor();
    ctx.onstatechange = show;
  }
  return ctx;
}

export function show() {
  const button = document.getElementById("sound-enable");
  const state = document.getElementById("sound-state");
  const running = ctx && ctx.state === "running";
  document.body.dataset.soundState = ctx ? ctx.state : "none";
  button.hidden = running;
  state.hidden = false;
  state.textContent = running ? t("sound.on") : t("sound.muted");
  state.classList.toggle("on", !!running);
}

// Call from a user gesture (sign-in, the enable button): browsers then allow the context to run.
export async function unlock() {
  const c = context();
  if (c && c.state !== "running") { try { await c.resume(); } catch (_) { /* shown below */ } }
  show();
}

function beep() {
  const c = context();
  const body = document.body;
  body.dataset.soundAttempts = String(Number(body.dataset.soundAttempts || 0) + 1);
  if (!c) { body.dataset.soundState = "unsupported"; return; }
  if (c.state !== "running") c.resume().catch(() => {});
  const now = c.currentTime;
  for (let i = 0; i < 3; i++) { // three short two-tone pulses: unlike any notification sound
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = "square";
    osc.frequency.setValueAtTime(i % 2 ? 660 : 880, now + i * 0.25);
    gain.gain.setValueAtTime(0.0001, now + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.25 + 0.2);
    osc.connect(gain).connect(c.destination);
    osc.start(now + i * 0.25);
    osc.stop(now + i * 0.25 + 0.22);
  }
  body.dataset.soundState = c.state;
  body.dataset.soundLast = String(Date.now());
  show();
}

// Sound while any alarm is unacknowledged: at once, then every 3 s until acknowledged.
export function alarming(on) {
  if (on && !timer) { beep(); timer = setInterval(beep, 3000); }
  if (!on && timer) { clearInterval(timer); timer = null; }
  document.body.dataset.alarming = on ? "yes" : "no";
}
