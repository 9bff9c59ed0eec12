"""A real Mosquitto and a real PostgreSQL for the uplink and district tests (Debian packages,
started in temporary directories; `make tools` installs them)."""

from __future__ import annotations

import pytest

from district.local_peers import Mosquitto, PeerMissing, Postgres


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    try:
        peer = Mosquitto.start(tmp_path_factory.mktemp("mosquitto"))
    except PeerMissing as error:
        pytest.skip(str(error))
    yield peer
    peer.stop()


@pytest.fixture(scope="session")
def postgres():
    try:
        peer = Postgres.start()
    except PeerMissing as error:
        pytest.skip(str(error))
    yield peer
    peer.stop()


@pytest.fixture
def database(postgres):
    """A fresh, empty district database for one test (a new PostgreSQL database)."""
    import uuid

    import psycopg

    name = "d" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + "/" + name
