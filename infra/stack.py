"""The whole system on one page: each construct does one job; the stack wires them."""

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from .bundling import BundleSpec, lambda_code
from .components.ingest import Ingest
from .components.monitoring import Monitoring
from .components.schedules import Schedules
from .components.secrets import QStashSecret
from .components.store import Store
from .components.worker import Worker
from .settings import ProjectSettings


class QStashJobsStack(Stack):
    """QStash → Function URL → ingest → SQS → worker, with its store, secret, alarms and schedules.

    Args:
        scope: The app.
        construct_id: The stack's id, also its name.
        settings: The project's settings, from cdk.json's context.
        project_dir: The generated project's root, whose package and uv.lock are bundled.
        declarations: The schedules and URL groups the jobs declare, as a JSON document
            (declarations.py).
        **kwargs: Passed to `Stack` (e.g. `env`).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: ProjectSettings,
        project_dir: Path,
        declarations: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"{settings.project_slug}: background jobs delivered by Upstash QStash",
            tags={"project": settings.project_slug},
            **kwargs,
        )
        code = lambda_code(
            self,
            BundleSpec(
                project_dir=project_dir,
                package_name=settings.package_name,
                python_version=settings.python_version,
                architecture=settings.architecture,
            ),
        )
        self.store = Store(self, "Store", retain_data=settings.retain_data)
        self.secrets = QStashSecret(self, "Secrets")
        self.worker = Worker(
            self,
            "Worker",
            settings=settings,
            code=code,
            idempotency_table=self.store.idempotency_table,
        )
        self.ingest = Ingest(
            self,
            "Ingest",
            settings=settings,
            code=code,
            queue=self.worker.queue,
            app_table=self.store.app_table,
            secret=self.secrets.secret,
        )
        self.schedules = Schedules(
            self,
            "Schedules",
            settings=settings,
            code=code,
            secret=self.secrets.secret,
            public_base_url=self.ingest.public_base_url,
            declarations=declarations,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            namespace=self.stack_name,
            ingest=self.ingest.app_function,
            worker=self.worker.app_function,
            dead_letter_queue=self.worker.dead_letter_queue,
            alarm_topic_arn=settings.alarm_topic_arn,
        )
        outputs = {
            "FunctionUrl": (self.ingest.url.url, "The ingest function's URL"),
            "PublicBaseUrl": (self.ingest.public_base_url, "The base URL QStash calls"),
            "JobsQueueUrl": (self.worker.queue.queue_url, "The jobs queue"),
            "DeadLetterQueueUrl": (self.worker.dead_letter_queue.queue_url, "Jobs that failed"),
            "AppTableName": (self.store.app_table.table_name, "Outcomes and dead letters"),
            "IdempotencyTableName": (self.store.idempotency_table.table_name, "Worker records"),
            "SecretArn": (self.secrets.secret.secret_arn, "Set its values out of band"),
        }
        for output_id, (value, description) in outputs.items():
            CfnOutput(self, output_id, value=value, description=description)
