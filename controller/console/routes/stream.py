"""GET /api/stream: server-sent events. Authenticated first (401 otherwise), then subscribed:
the whole state, then patches (changed top-level keys), new events, and a heartbeat twice a second.
Ends with `signed_out` when the session ends; the page reconnects and resynchronises."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from controller.console.context import Context
from controller.console.live import HEARTBEAT_S, frame
from controller.console.models import problems
from controller.console.security import COOKIE, SignedIn

router = APIRouter(prefix="/api", tags=["stream"])
RETRY_MS = 1000  # EventSource reconnect delay after a lost connection


@router.get("/stream", responses={200: {"content": {"text/event-stream": {}}},
                                  **problems(401)})
async def stream(request: Request, session: SignedIn,
                 ctx: Context) -> StreamingResponse:
    queue, first = ctx.hub.subscribe()
    token = request.cookies.get(COOKIE)

    async def frames():
        try:
            yield f"retry: {RETRY_MS}\n\n" + first
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), HEARTBEAT_S * 2)
                except asyncio.TimeoutError:
                    item = frame("heartbeat", {})
                if item is None:
                    return
                if ctx.identity.session(token) is None:
                    yield frame("signed_out", {"user": session.operator.name})
                    return
                yield item
        finally:
            ctx.hub.unsubscribe(queue)

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})
