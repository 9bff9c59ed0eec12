"""The guard console: an HTTP API and a static page served by the host (`campusguard run`).

A thin skin over the same service the control socket uses: identity (controller/identity/) says
who is acting, controller/service/actions.py acts, the host's status and event store are read.
No rule lives here. Layout: app.py assembles routes/ (one module per area), models.py holds the
request and response shapes, live.py feeds the stream, server.py runs uvicorn in the host's loop.
"""
