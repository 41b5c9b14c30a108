"""Baseline `framework`: FastAPI + Mangum answering 202 and doing nothing else.

Not a receiver: it neither verifies nor hands off. It is the floor of any handler built on
FastAPI behind Mangum (the framework's own import and first request), so the table shows how
much of `naive` and of the ingest handler is the framework, and how much is their work.
"""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.post("/qstash/jobs/{job_name}", status_code=202)
async def receive_job(job_name: str) -> None:
    """Answer 202 without reading the body."""


handler = Mangum(app, lifespan="off")
