"""Who is on the other end of the control socket, from the socket itself (SO_PEERCRED), and the
Actor a request acts as: the operator mapped to that OS account, or the operator named in the
request when their PIN is given. A lockdown still goes ahead when neither works (unidentified)."""

from __future__ import annotations

import asyncio
import pwd
import socket
import struct
from dataclasses import dataclass
from typing import Any

from controller.identity.errors import IdentityError, RateLimited
from controller.identity.model import Actor, Operator
from controller.identity.store import OperatorStore

_UCRED = struct.Struct("3i")  # struct ucred {pid_t pid; uid_t uid; gid_t gid;}
# A lockdown waits at most this long for a PIN check (argon2id in a worker thread) before it
# goes ahead as the mapped operator or unidentified: identity never delays a lockdown for long.
LOCKDOWN_PIN_WAIT_S = 2.0


@dataclass(frozen=True)
class Peer:
    pid: int
    uid: int
    gid: int
    account: str | None  # the OS account name of uid; None when the system has no such user

    @property
    def origin(self) -> str:
        name = f"({self.account})" if self.account else ""
        return f"control socket uid={self.uid}{name} pid={self.pid}"


def peer_of(sock: socket.socket | None) -> Peer:
    """The connecting process's pid, uid and gid, as the kernel recorded them at connect()."""
    if sock is None:
        return Peer(0, -1, -1, None)
    pid, uid, gid = _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                  _UCRED.size))
    try:
        account: str | None = pwd.getpwuid(uid).pw_name
    except KeyError:
        account = None
    return Peer(pid, uid, gid, account)


class ActorRefused(IdentityError):
    """The request names someone the caller cannot prove to be; the message says the fix."""


async def actor_for(store: OperatorStore, peer: Peer, request: dict[str, Any],
                    lockdown: bool) -> tuple[Actor, str]:
    """(actor, note). For a lockdown every failure degrades to an unidentified actor with a
    note saying why; for anything else it raises ActorRefused (or RateLimited)."""
    name = request.get("user") or None
    pin = request.get("pin")
    mapped: Operator | None = None
    try:
        if peer.account is not None:  # a read of a small local table, on the loop: a
            mapped = store.by_os_user(peer.account)  # lockdown never queues for a thread
        if name is not None and pin is not None:
            check = asyncio.to_thread(store.check_pin, str(name), str(pin), f"uid:{peer.uid}")
            operator = await (asyncio.wait_for(check, LOCKDOWN_PIN_WAIT_S) if lockdown else check)
            return Actor(operator.name, operator.role, "pin", peer.origin,
                         f"pin:{operator.name}"), ""
    except RateLimited:
        if not lockdown:
            raise
        return _fallback(peer, mapped, f"PIN check for {name!r} rate-limited")
    except asyncio.TimeoutError:
        return _fallback(peer, mapped, f"PIN check for {name!r} took over "
                                       f"{LOCKDOWN_PIN_WAIT_S:g} s")
    except IdentityError as exc:
        if not lockdown:
            raise
        return _fallback(peer, mapped, f"PIN for {name!r} not accepted ({exc})")
    except Exception as exc:  # the roster itself is unreadable: never a reason to refuse a lockdown
        if not lockdown:
            raise ActorRefused(f"the operator store cannot be read ({exc}). Fix: check "
                               f"{store.path}") from exc
        return _fallback(peer, None, f"operator store unreadable ({exc})")
    if name is None or (mapped is not None and mapped.name == name):
        if mapped is not None:
            return Actor(mapped.name, mapped.role, "os_user", peer.origin, f"uid:{peer.uid}"), ""
        if lockdown:
            return Actor.unauthenticated(peer.origin, f"uid:{peer.uid}"), ""
        raise ActorRefused(_not_mapped(peer))
    if lockdown:
        return _fallback(peer, mapped, f"claimed to be {name!r} without a PIN")
    you = (f"your account {peer.account!r} is operator {mapped.name!r}" if mapped is not None
           else _not_mapped(peer))
    raise ActorRefused(f"acting as {name!r} needs {name}'s PIN ({you}). Fix: "
                       f"`--user {name} --pin-stdin` with {name}'s PIN on stdin, or let {name} "
                       f"act from their own account")


def _fallback(peer: Peer, mapped: Operator | None, why: str) -> tuple[Actor, str]:
    if mapped is not None:
        actor = Actor(mapped.name, mapped.role, "os_user", peer.origin, f"uid:{peer.uid}")
        return actor, f"{why}: acting as {mapped.name} (mapped to {peer.account})"
    return Actor.unauthenticated(peer.origin, f"uid:{peer.uid}"), f"{why}: acting unidentified"


def _not_mapped(peer: Peer) -> str:
    account = peer.account or f"uid {peer.uid}"
    return (f"OS account {account!r} is not mapped to an operator. Fix: `campusguard user add "
            f"NAME --role ROLE --os-user {account}` (or `--user NAME --pin-stdin`)")
