// Site-local time everywhere: every time is shown in the site's timezone, whatever the browser's.
let zone = "Asia/Shanghai";
let skewMs = 0; // host clock minus this browser's clock

export function setZone(tz) { zone = tz; }
export function setHostNow(iso) { if (iso) skewMs = Date.parse(iso) - Date.now(); }
export function hostNow() { return Date.now() + skewMs; }

function fmt(ms, lang, opts) {
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN",
    { timeZone: zone, hourCycle: "h23", ...opts }).format(new Date(ms));
}

export function clock(lang) {
  return fmt(hostNow(), lang, { year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function stamp(iso, lang) {
  if (!iso) return "";
  return fmt(Date.parse(iso), lang, { month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", second: "2-digit" });
}

export function secondsUntil(iso) {
  return Math.max(0, Math.ceil((Date.parse(iso) - hostNow()) / 1000));
}

// A date and time of day in the site's zone (deadlines, sign-on times, report dates).
export function dateTime(iso, lang) {
  if (!iso) return "";
  return fmt(Date.parse(iso), lang, { year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit" });
}

// Today's date in the site's zone, YYYY-MM-DD (for date inputs).
export function today() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric",
    month: "2-digit", day: "2-digit" }).format(new Date(hostNow()));
  return parts;
}
