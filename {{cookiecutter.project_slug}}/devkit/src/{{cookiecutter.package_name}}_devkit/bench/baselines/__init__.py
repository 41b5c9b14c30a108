"""Small handlers the ingest handler is measured against, one module each.

Each does what a team writes first, with the same work as the ingest path: verify the
`Upstash-Signature` (https://upstash.com/docs/qstash/howto/signature), send the job to the
SQS queue, answer 202. `bare` is the floor: no work at all. They read the same environment
variables as the application (`QSTASH_CURRENT_SIGNING_KEY`, `QSTASH_NEXT_SIGNING_KEY`,
`PUBLIC_BASE_URL`, `JOBS_QUEUE_URL`). The benchmark copies each module, as a top-level module,
into a folder of its own with only its dependencies, as a Lambda asset would hold it.
"""
