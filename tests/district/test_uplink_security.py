"""TLS, per-campus credentials and the shipped broker ACL, on a real Mosquitto: a campus reaches
the district over mqtts:// with its own account; a campus cannot publish under another campus's
topics; a wrong password keeps the events queued and says why."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_uplink_district_flow import until

from controller.uplink.config import UplinkConfig
from controller.uplink.service import Uplink
from district.local_peers import Mosquitto, PeerMissing, free_port, wait_port
from district.store import SqliteStore
from district.subscriber import DistrictSubscriber

ACL = Path(__file__).resolve().parents[2] / "docs" / "district" / "mosquitto-acl.example"
pytestmark = [pytest.mark.timeout(120), pytest.mark.xdist_group(name="uplink-security")]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory):
    work = tmp_path_factory.mktemp("secure-broker")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=campusguard test CA", "-keyout", "ca.key", "-out", "ca.crt", cwd=work)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
             "broker.key", "-out", "broker.csr", cwd=work)
    (work / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "broker.crt",
             cwd=work)
    passwd = work / "passwd"
    for user, password in (("campus-a", "secret-a"), ("campus-b", "secret-b"),
                           ("district", "secret-d")):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if user == "campus-a" else []),
                        str(passwd), user, password], check=True, capture_output=True)
    tls_port = free_port()
    try:
        broker = Mosquitto.start(work, anonymous=False, extra=[
            "per_listener_settings false", f"password_file {passwd}", f"acl_file {ACL}",
            f"listener {tls_port} 127.0.0.1", f"cafile {work / 'ca.crt'}",
            f"certfile {work / 'broker.crt'}", f"keyfile {work / 'broker.key'}"])
    except PeerMissing as error:
        pytest.skip(str(error))
    wait_port(tls_port, 20, "mosquitto (TLS listener)", broker.proc)
    for name, secret in (("a", "secret-a"), ("b", "secret-b"), ("d", "secret-d"), ("x", "nope")):
        (work / f"pw-{name}").write_text(secret + "\n")
    yield broker, f"mqtts://127.0.0.1:{tls_port}", work
    broker.stop()


def _uplink(url: str, work: Path, campus_id: str, user: str, pw: str, state: Path) -> Uplink:
    config = UplinkConfig(broker=url, campus_id=campus_id, username=user,
                          password_file=str(work / pw), ca=str(work / "ca.crt"), keepalive_s=5)
    return Uplink(config, state)


async def test_tls_credentials_and_acl(secure_broker, tmp_path):
    broker, url, work = secure_broker
    store = SqliteStore(tmp_path / "district.db")
    district = DistrictSubscriber(url, store, client_id="district-secure", username="district",
                                  password="secret-d", ca=str(work / "ca.crt"))
    district.start()
    await until(lambda: district.connected, 30, "the district over TLS")
    honest = _uplink(url, work, "campus-a", "campus-a", "pw-a", tmp_path / "a")
    spoofer = _uplink(url, work, "campus-a", "campus-b", "pw-b", tmp_path / "b")  # b posing as a
    wrong = _uplink(url, work, "campus-b", "campus-b", "pw-x", tmp_path / "x")
    for uplink in (honest, spoofer, wrong):
        await uplink.start()
    try:
        honest.submit([{"id": 1, "ts": "2026-11-27T10:00:00.000Z", "kind": "panic.alarm"}])
        spoofer.submit([{"id": 2, "ts": "2026-11-27T10:00:00.000Z", "kind": "panic.alarm"}])
        wrong.submit([{"id": 3, "ts": "2026-11-27T10:00:00.000Z", "kind": "panic.alarm"}])
        await until(lambda: store.count_events() >= 1, 30, "the honest campus's alarm")
        await until(lambda: spoofer.outbox.pending() == 0, 30, "the spoofer's PUBACK")
        await until(lambda: wrong.status()["last_error"], 30, "the refused login")
        events = store.events()
        assert [e["id"] for e in events] == ["campus-a-1-20261127100000000"]
        assert wrong.status()["connected"] is False and wrong.outbox.pending() == 1
        assert "authori" in wrong.status()["last_error"].lower()
    finally:
        for uplink in (honest, spoofer, wrong):
            await uplink.stop()
        district.stop()
        store.close()
    # the spoofer's message was acknowledged by the broker (MQTT 3.1.1 does not refuse a
    # publish) but the ACL dropped it: the district never saw a campus-a event from campus-b
    assert len([e for e in store_events(tmp_path)]) == 1


def store_events(tmp_path: Path) -> list[dict]:
    check = SqliteStore(tmp_path / "district.db")
    try:
        return check.events()
    finally:
        check.close()
