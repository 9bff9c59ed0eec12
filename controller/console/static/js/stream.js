// The live stream (/api/stream, server-sent events) with an honest connection state: the host
// sends a heartbeat twice a second, so 2.5 s of silence means the host is lost. On reconnect the
// host sends the whole state again (handlers.state), which replaces everything shown.
const SILENCE_MS = 2500;

export function connect(handlers) {
  let source = null;
  let last = 0;
  let lost = false;
  let stopped = false;
  let retry = null;

  function markLost() {
    if (!lost) { lost = true; handlers.lost(); }
  }

  function open() {
    if (stopped) return;
    source = new EventSource("/api/stream");
    const seen = () => { last = Date.now(); };
    source.addEventListener("state", (e) => {
      seen();
      const wasLost = lost;
      lost = false;
      handlers.state(JSON.parse(e.data), wasLost);
    });
    source.addEventListener("patch", (e) => { seen(); handlers.patch(JSON.parse(e.data)); });
    source.addEventListener("events", (e) => { seen(); handlers.events(JSON.parse(e.data)); });
    source.addEventListener("heartbeat", (e) => { seen(); handlers.heartbeat(JSON.parse(e.data)); });
    source.addEventListener("signed_out", () => { stop(); handlers.signedOut(); });
    source.onerror = () => {
      markLost();
      if (source.readyState === EventSource.CLOSED) { // refused (401) or gave up: we retry
        source.close();
        clearTimeout(retry);
        retry = setTimeout(() => handlers.closed().then((again) => { if (again) open(); }), 1000);
      }
    };
  }

  const watchdog = setInterval(() => {
    if (!stopped && last && Date.now() - last > SILENCE_MS) markLost();
  }, 250);

  function stop() {
    stopped = true;
    clearInterval(watchdog);
    clearTimeout(retry);
    if (source) source.close();
  }

  last = Date.now();
  open();
  return { stop };
}
