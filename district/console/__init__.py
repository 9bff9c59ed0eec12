"""The district console: HTTP API and a page (FastAPI + uvicorn, as the campus console), read-only,
behind the same operator identity as the guard room (controller/identity)."""
