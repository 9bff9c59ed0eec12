"""A real host (no buses: the API is under test, not the field) with real operators in its
identity store, serving the real console on a free port."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx

from controller.console.server import ConsoleServer, start_console
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.site import load_site

SMALL_SITE = Path(__file__).resolve().parents[2] / "integration" / "small-campus.toml"
OPERATORS = {  # name: (role, password, PIN)
    "li.na": ("guard", "li-na-password", "2580"),
    "chen.jie": ("guard", "chen-jie-password", "1397"),
    "zhang.wei": ("supervisor", "zhang-wei-password", "8642"),
    "wang.fang": ("viewer", "wang-fang-password", "5173"),
}


def operators_db(directory: Path) -> Path:
    """An operators.db holding OPERATORS (argon2id is slow on purpose: build it once, copy it)."""
    from controller.identity.store import OperatorStore

    store = OperatorStore(directory)
    for name, (role, password, pin) in OPERATORS.items():
        store.add(name, role, password, pin)
    return store.path


@dataclass
class ConsoleUnderTest:
    host: Host
    server: ConsoleServer
    http: httpx.AsyncClient

    @property
    def url(self) -> str:
        return self.server.url or ""

    async def sign_in(self, name: str, client: httpx.AsyncClient | None = None) -> tuple[
            httpx.AsyncClient, dict[str, str]]:
        """A client of its own (its own cookie) signed in as name, and the CSRF header."""
        client = client or httpx.AsyncClient(base_url=self.url, timeout=20)
        reply = await client.post("/api/session", json={"user": name,
                                                        "password": OPERATORS[name][1]})
        assert reply.status_code == 200, reply.text
        return client, {"X-CSRF-Token": reply.json()["csrf_token"]}


async def start(state_dir: Path, operators: Path, site: Path = SMALL_SITE) -> ConsoleUnderTest:
    state_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(operators, state_dir / operators.name)
    host = Host(load_site(site), StatePaths(state_dir), {})
    await host.start()
    server = await start_console(host)
    assert server is not None, "the console did not start (see stderr)"
    return ConsoleUnderTest(host, server, httpx.AsyncClient(base_url=server.url, timeout=20))


async def stop(under_test: ConsoleUnderTest) -> None:
    await under_test.http.aclose()
    await under_test.server.stop()
    await under_test.host.stop()
