"""kill -9 loses nothing: a child process appends events and prints each id once append() has
returned; it is killed with SIGKILL mid-stream; every printed id is then in the store."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from controller.store import EventStore

REPO = Path(__file__).resolve().parents[3]

CHILD = """
import sys
from controller.store import EventStore
store = EventStore(sys.argv[1])
store.save_policy_state('{"mode": "lockdown"}')
print("ready", flush=True)
n = 0
while True:
    n += 1
    ident = store.append("device.state", f"event {n}", device="gate-%d" % (n % 7),
                         data={"n": n, "pad": "x" * 200})
    print(ident, flush=True)
"""


def test_every_returned_append_survives_sigkill(tmp_path):
    db = tmp_path / "state" / "events.sqlite"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE,
                             text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert child.stdout.readline().strip() == "ready"
        acknowledged = []
        deadline = time.monotonic() + 20
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            acknowledged.append(int(child.stdout.readline()))
        os.kill(child.pid, signal.SIGKILL)  # mid-stream: the child is appending right now
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert len(acknowledged) == 150
    with EventStore(db) as store:
        stored = {r.id for r in store.query()}
        assert set(acknowledged) <= stored
        assert store.load_policy_state() == '{"mode": "lockdown"}'
        assert [r.data["n"] for r in store.query(limit=3)][-1] >= 150
