"""Baseline `naive`: FastAPI + Mangum + the official `qstash` Receiver + boto3, as written first.

FastAPI's defaults (docs, OpenAPI schema, a response model from the return type), the SDK's
`Receiver` (https://upstash.com/docs/qstash/howto/signature), one module-level SQS client.
"""

import json
import os

import boto3
from fastapi import FastAPI, HTTPException, Request
from mangum import Mangum
from qstash import Receiver
from qstash.errors import SignatureError

BASE_URL = os.environ["PUBLIC_BASE_URL"]
QUEUE_URL = os.environ["JOBS_QUEUE_URL"]
receiver = Receiver(
    current_signing_key=os.environ["QSTASH_CURRENT_SIGNING_KEY"],
    next_signing_key=os.environ["QSTASH_NEXT_SIGNING_KEY"],
)
sqs = boto3.client("sqs")
app = FastAPI()


@app.post("/qstash/jobs/{job_name}", status_code=202)
async def receive_job(job_name: str, request: Request) -> dict[str, str]:
    """Verify the delivery, send the job to SQS, answer 202 (401 when unsigned)."""
    body = (await request.body()).decode()
    try:
        receiver.verify(
            signature=request.headers.get("upstash-signature", ""),
            body=body,
            url=BASE_URL + request.url.path,
        )
    except SignatureError as error:
        raise HTTPException(status_code=401, detail=str(error)) from None
    job = {"job": job_name, "payload": json.loads(body or "null")}
    job["message_id"] = request.headers.get("upstash-message-id")
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(job))
    return {"status": "accepted"}


handler = Mangum(app, lifespan="off")
