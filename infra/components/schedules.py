"""The QStash schedules and URL groups, reconciled by a custom resource on every deploy."""

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack, custom_resources
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .. import constants
from ..settings import ProjectSettings
from .function import AppFunction

RESOURCE_TYPE = "Custom::QStashSchedules"


class Schedules(Construct):
    """A CloudFormation custom resource that owns the stack's QStash schedules and URL groups.

    On create and update, the handler (`<package>.entrypoints.lambda_schedules`, the same
    bundle as the other functions) upserts each declared schedule under an id derived from
    the owner (the stack), the job and the schedule's name, deletes the schedules this owner
    created that are no longer declared, and brings each URL group's endpoints to the
    declared ones; on delete it removes everything the owner created. Schedules and groups
    of other owners are never touched. Destinations are the public base URL plus each job's
    route, so a custom domain moves the schedules with it.

    The handler reads the QStash token from the secret, whose ARN is a property: nothing
    secret passes through the template.

    Args:
        scope: The parent construct.
        construct_id: The construct id.
        settings: The project's settings (runtime, QStash URL).
        code: The bundled application.
        secret: The QStash secret (its `QSTASH_TOKEN` field).
        public_base_url: The base URL QStash calls (a token at deploy time).
        declarations: The JSON document of the declared schedules and URL groups
            (`<package>.qstash.schedules.declarations_document`).

    Attributes:
        app_function: The reconciling function and its alias.
        provider: The custom resource provider (CDK's framework function in front of it).
        resource: The custom resource.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: ProjectSettings,
        code: lambda_.Code,
        secret: secretsmanager.ISecret,
        public_base_url: str,
        declarations: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.app_function = AppFunction(
            self,
            "Function",
            settings=settings,
            code=code,
            handler=constants.SCHEDULES_HANDLER.format(package=settings.package_name),
            description="Reconciles the QStash schedules and URL groups on each deploy",
            memory_mb=constants.SCHEDULES_MEMORY_MB,
            timeout_seconds=constants.SCHEDULES_TIMEOUT_SECONDS,
            environment={},
            # It runs once per deploy; a snapshot would only cost.
            snap_start=False,
        )
        secret.grant_read(self.app_function.function)
        framework_logs = logs.LogGroup(
            self,
            "ProviderLogs",
            retention=constants.LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # The framework function's own role, instead of the CDK's default one with the
        # AWSLambdaBasicExecutionRole managed policy (any log group in the account).
        framework_role = iam.Role(
            self,
            "ProviderRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Runs the CDK custom resource framework in front of the schedules function",
        )
        framework_role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[framework_logs.log_group_arn],
            )
        )
        self.provider = custom_resources.Provider(
            self,
            "Provider",
            on_event_handler=self.app_function.alias,
            log_group=framework_logs,
            framework_on_event_role=framework_role,
        )
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=self.provider.service_token,
            resource_type=RESOURCE_TYPE,
            service_timeout=Duration.seconds(constants.SCHEDULES_SERVICE_TIMEOUT_SECONDS),
            properties={
                "Owner": Stack.of(self).stack_name,
                "PublicBaseUrl": public_base_url,
                "QStashSecretArn": secret.secret_arn,
                "QStashUrl": settings.qstash_url,
                "Declarations": declarations,
            },
        )
