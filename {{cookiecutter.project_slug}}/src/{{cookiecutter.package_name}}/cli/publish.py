"""`publish` and `jobs`."""

import argparse
import sys

from ..config import Settings
from ..jobs import registry
from ..qstash.client import Publisher
from .output import Output


def run_publish(args: argparse.Namespace, settings: Settings) -> Output:
    """`publish`: validate the payload with the job's model, then publish it."""
    payload = sys.stdin.read() if args.payload == "-" else args.payload
    with Publisher.from_settings(settings) as publisher:
        result = publisher.publish(
            args.job,
            payload.encode(),
            delay=args.delay,
            not_before=args.not_before,
            deduplication_id=args.dedup_id,
            retries=args.retries,
        )
    note = " (deduplicated: QStash already had this id)" if result.deduplicated else ""
    return Output(result.to_json(), f"published {result.job} as {result.message_id}{note}")


def run_jobs(args: argparse.Namespace, settings: Settings) -> Output:
    """`jobs`: the registered jobs."""
    jobs = [{"name": job.name, "description": job.description} for job in registry]
    width = max((len(job["name"]) for job in jobs), default=0)
    text = "\n".join(f"{job['name']:<{width}}  {job['description']}" for job in jobs)
    return Output({"jobs": jobs}, text or "no jobs are registered")
