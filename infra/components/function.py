"""One Lambda function of the app: log group, role, code, runtime, and its `live` alias."""

from collections.abc import Mapping

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from .. import constants
from ..settings import ProjectSettings

RUNTIMES = {"3.12": lambda_.Runtime.PYTHON_3_12, "3.13": lambda_.Runtime.PYTHON_3_13}
ARCHITECTURES = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}


class AppFunction(Construct):
    """A function running one of the application's handlers.

    Its role may only write to its own log group; the construct that owns the function
    grants the rest. Each deploy publishes a version (the old one is deleted, so SnapStart
    never keeps caching it) and moves the `live` alias to it: callers use the alias.

    Args:
        scope: The parent construct.
        construct_id: The construct id.
        settings: The project's settings (runtime, architecture, log level).
        code: The bundled application (bundling.lambda_code).
        handler: The handler's dotted path, e.g. `pkg.entrypoints.lambda_ingest.handler`.
        description: What the function does, shown in the console.
        memory_mb: Memory size, in MB.
        timeout_seconds: Timeout, in seconds.
        environment: Variables beyond ENVIRONMENT and LOG_LEVEL: names and ARNs only.
        snap_start: Snapshot published versions (SnapStart).

    Attributes:
        log_group: The function's log group (retention set).
        role: The function's execution role.
        function: The function.
        alias: The `live` alias: what the Function URL and event sources point at.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: ProjectSettings,
        code: lambda_.Code,
        handler: str,
        description: str,
        memory_mb: int,
        timeout_seconds: int,
        environment: Mapping[str, str],
        snap_start: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=constants.LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs {handler}",
        )
        # Instead of the AWSLambdaBasicExecutionRole managed policy, which lets a function
        # create and write any log group in the account.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            code=code,
            handler=handler,
            runtime=RUNTIMES[settings.python_version],
            architecture=ARCHITECTURES[settings.architecture],
            description=description,
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_seconds),
            environment={
                constants.ENV_ENVIRONMENT: "production",
                constants.ENV_LOG_LEVEL: settings.log_level,
                **environment,
            },
            role=self.role,
            log_group=self.log_group,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY),
        )
        self.alias = lambda_.Alias(
            self, "Live", alias_name=constants.LIVE_ALIAS, version=self.function.current_version
        )
        if snap_start:
            # The CDK warns that SnapStart needs published versions: the alias above is one.
            Annotations.of(self.function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "every deploy publishes current_version and points the live alias at it",
            )
