"""A technician's maintenance window on one device, for a bounded time.

While a device is in maintenance the host does not raise comm-loss trouble for it (the technician
is power-cycling or rewiring it) and does not re-provision it (it would overwrite what the
technician is trying); everything else goes on: it is polled, its alarms count, lockdown and fire
still command it. The window ends by `--end` or by itself at its deadline; an event says who put
it in, why and until when, and who or what ended it. A device still offline when the window ends
raises its trouble then.

Who may: an operator with the role technician or supervisor. With the identity layer in the host
(host.operators) the caller is the operator mapped to the socket peer's OS account, or the one
named with --user who proves it with a PIN; without it, a [[users]] entry of the site, as the
control socket does.
"""

from __future__ import annotations

import asyncio
import pwd
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from protocols import events as E

if TYPE_CHECKING:
    from controller.service.host import Host

MAX_MINUTES = 240  # a window is bounded: a forgotten one must not blind the host for a day
ROLES_ALLOWED = ("technician", "supervisor")
MAINTENANCE_START = E.MAINTENANCE_START
MAINTENANCE_END = E.MAINTENANCE_END


@dataclass(frozen=True)
class Window:
    device: str
    by: str  # operator name
    role: str
    method: str  # how they proved who they are: os_user | pin | site_user
    reason: str
    since: datetime  # UTC
    until: datetime  # UTC

    def as_status(self) -> dict[str, Any]:
        return {"by": self.by, "role": self.role, "method": self.method, "reason": self.reason,
                "since": self.since.isoformat(timespec="seconds"),
                "until": self.until.isoformat(timespec="seconds")}


class MaintenanceDenied(Exception):
    """Who asked may not (or could not prove who they are); the message says the fix."""


class Maintenance:
    def __init__(self, host: Host, clock: Callable[[], datetime] | None = None) -> None:
        self.host = host
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self.windows: dict[str, Window] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    # ------------------------------------------------------------------ what the host asks
    def holds(self, device: str) -> bool:
        window = self.windows.get(device)
        return window is not None and self._clock() < window.until

    def status_of(self, device: str) -> dict[str, Any] | None:
        return self.windows[device].as_status() if self.holds(device) else None

    # ------------------------------------------------------------------ the technician's request
    async def request(self, request: dict[str, Any], uid: int | None) -> dict[str, Any]:
        device = str(request.get("device") or "")
        host = self.host
        names = [d.name for d in host.site.devices]
        if device not in names:
            return {"ok": False, "error": f"no device {device!r} in {host.site.path}. Fix: use "
                    f"one of {', '.join(names)}"}
        try:
            who, role, method = self._authenticate(request, uid)
        except MaintenanceDenied as exc:
            return {"ok": False, "refused": True, "error": str(exc)}
        reason = str(request.get("reason") or "")
        if request.get("end"):
            window = self.windows.get(device)
            if window is None:
                return {"ok": False, "refused": True,
                        "error": f"{device} is not in maintenance"}
            self._end(device, f"ended by {who} ({role})")
            await host.flush()
            return {"ok": True, "device": device, "maintenance": None}
        try:
            minutes = float(request.get("minutes") or 0)
        except (TypeError, ValueError):
            minutes = 0
        if not 0 < minutes <= MAX_MINUTES:
            return {"ok": False, "error": f"--minutes {request.get('minutes')!r}: give 1.."
                    f"{MAX_MINUTES} (a window always ends by itself)"}
        now = self._clock()
        window = Window(device, who, role, method, reason or "maintenance", now,
                        now + timedelta(minutes=minutes))
        self._start(window, minutes * 60)
        await host.flush()
        return {"ok": True, "device": device, "maintenance": window.as_status()}

    def _authenticate(self, request: dict[str, Any], uid: int | None) -> tuple[str, str, str]:
        host = self.host
        user = request.get("user")
        operators = getattr(host, "operators", None)
        if operators is not None:  # the identity layer: an OS account or a PIN
            operator, method = None, ""
            if user and request.get("pin") is not None:
                try:
                    operator = operators.check_pin(str(user), str(request["pin"]),
                                                   f"diag socket uid={uid}")
                except Exception as exc:  # AuthFailed / RateLimited: their message says why
                    raise MaintenanceDenied(str(exc)) from None
                method = "pin"
            elif uid is not None:
                account = _account(uid)
                operator = operators.by_os_user(account) if account else None
                method = "os_user"
                if operator is None or (user and operator.name != user):
                    raise MaintenanceDenied(
                        f"OS account {account!r} is not mapped to "
                        f"{'operator ' + repr(user) if user else 'an operator'}. Fix: pass "
                        "--user NAME --pin-stdin, or map the account (campusguard user add "
                        "... --os-user)")
            if operator is None or getattr(operator, "disabled", False):
                raise MaintenanceDenied("no such operator, or disabled. Fix: --user NAME "
                                        "--pin-stdin")
            if operator.role not in ROLES_ALLOWED:
                raise MaintenanceDenied(f"{operator.name} is a {operator.role}: maintenance "
                                        "needs a technician or a supervisor")
            return operator.name, operator.role, method
        name = str(user or (_account(uid) if uid is not None else "") or "")
        site_user = host.site.user(name)
        if site_user is None:
            known = ", ".join(u.name for u in host.site.users if u.role in ROLES_ALLOWED)
            raise MaintenanceDenied(f"{name!r} is not a technician or supervisor of "
                                    f"{host.site.path}. Fix: pass --user with one of: {known}")
        if site_user.role not in ROLES_ALLOWED:
            raise MaintenanceDenied(f"{name} is a {site_user.role}: maintenance needs a "
                                    "technician or a supervisor")
        return site_user.name, site_user.role, "site_user"

    # ------------------------------------------------------------------ the window
    def _start(self, window: Window, seconds: float) -> None:
        host = self.host
        old = self._timers.pop(window.device, None)
        if old is not None:
            old.cancel()
        self.windows[window.device] = window
        device = host.registry.devices.get(window.device)
        if device is not None:
            device.provision_paused = True
        self._timers[window.device] = asyncio.get_running_loop().call_later(
            seconds, self._end, window.device, "its time was up")
        host.log(MAINTENANCE_START,
                 f"{window.device} in maintenance by {window.by} ({window.role}, {window.method}) "
                 f"until {_local(window.until, host)}: {window.reason!r}. Comm-loss trouble and "
                 f"re-provisioning are paused for it; alarms, lockdown and fire still act.",
                 device=window.device, zone=host.site.zone_of(window.device), user=window.by,
                 role=window.role, reason=window.reason,
                 data={"until": window.until.isoformat(timespec="seconds"),
                       "method": window.method})

    def _end(self, device: str, why: str) -> None:
        host = self.host
        window = self.windows.pop(device, None)
        timer = self._timers.pop(device, None)
        if timer is not None:
            timer.cancel()
        if window is None:
            return
        obj = host.registry.devices.get(device)
        if obj is not None:
            obj.provision_paused = False
        host.log(MAINTENANCE_END, f"{device} out of maintenance ({why}); it was in since "
                 f"{_local(window.since, host)} by {window.by}. The host supervises and "
                 f"provisions it again.", device=device, zone=host.site.zone_of(device),
                 user=window.by, data={"why": why})
        bus = obj.setup.bus if obj is not None else None
        scheduler = host.schedulers.get(bus) if bus else None
        if scheduler is not None and scheduler.health[device].online is False:
            host.device_offline(bus, device, "still not answering after maintenance")

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


def _account(uid: int | None) -> str | None:
    if uid is None:
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _local(stamp: datetime, host: Host) -> str:
    return stamp.astimezone(host.site.tz).isoformat(sep=" ", timespec="seconds")


