"""What every route reaches through request.app.state.console: the host, identity and the live hub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

if TYPE_CHECKING:
    from controller.console.identity_port import ConsoleIdentity
    from controller.console.live import LiveHub
    from controller.service.host import Host


@dataclass
class ConsoleContext:
    host: Host
    identity: ConsoleIdentity
    hub: LiveHub
    secure_cookie: bool  # served over TLS: the session cookie is Secure


def context(request: Request) -> ConsoleContext:
    return request.app.state.console


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


Context = Annotated[ConsoleContext, Depends(context)]
