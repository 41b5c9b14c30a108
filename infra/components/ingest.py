"""The ingest function behind its Function URL, and where it learns its public URL."""

from aws_cdk import Fn, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from .. import constants
from ..settings import ProjectSettings
from .function import AppFunction


class Ingest(Construct):
    """QStash's way in: a public Function URL on the `live` alias of the ingest function.

    The URL's auth type is NONE because QStash cannot sign AWS requests; every route checks
    the `Upstash-Signature` instead, against the signing keys in the secret.

    The public URL problem: the token's `sub` claim must equal the URL QStash called, but
    the function cannot carry its own Function URL in its environment (the URL depends on
    the alias, the alias on the version, the version on the function's configuration). So
    the stack writes the public base URL, the custom domain (`public_base_url` in cdk.json)
    or else the Function URL, to an SSM parameter whose name is fixed in advance
    (`/<stack>/public-base-url`). The function's environment holds only that name
    (PUBLIC_BASE_URL_PARAMETER) and the application reads the value on first use; with a
    custom domain the environment also holds PUBLIC_BASE_URL itself. A first `cdk deploy`
    therefore works with no second step.

    Args:
        scope: The parent construct.
        construct_id: The construct id.
        settings: The project's settings.
        code: The bundled application.
        queue: The jobs queue to hand off to.
        app_table: The delivery store (hand-off marks, tokens, outcomes, dead letters).
        secret: The QStash secret (signing keys).

    Attributes:
        app_function: The ingest function and its alias.
        url: The Function URL.
        public_base_url: The base URL QStash calls (a token at deploy time).
        public_base_url_parameter: The SSM parameter holding it.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: ProjectSettings,
        code: lambda_.Code,
        queue: sqs.IQueue,
        app_table: dynamodb.ITable,
        secret: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        parameter_name = constants.PUBLIC_BASE_URL_PARAMETER.format(stack=stack.stack_name)
        environment = {
            constants.ENV_JOBS_QUEUE_URL: queue.queue_url,
            constants.ENV_APP_TABLE_NAME: app_table.table_name,
            constants.ENV_SIGNING_KEYS_SECRET_ARN: secret.secret_arn,
            constants.ENV_PUBLIC_BASE_URL_PARAMETER: parameter_name,
        }
        if settings.public_base_url:
            environment[constants.ENV_PUBLIC_BASE_URL] = settings.public_base_url
        self.app_function = AppFunction(
            self,
            "Function",
            settings=settings,
            code=code,
            handler=constants.INGEST_HANDLER.format(package=settings.package_name),
            description="Verifies QStash deliveries and hands each job off to the jobs queue",
            memory_mb=constants.INGEST_MEMORY_MB,
            timeout_seconds=constants.INGEST_TIMEOUT_SECONDS,
            environment=environment,
            snap_start=settings.snap_start,
        )
        function = self.app_function.function
        queue.grant_send_messages(function)
        secret.grant_read(function)
        # store/dynamodb.py: conditional puts, consistent gets, queries by partition key.
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                resources=[app_table.table_arn],
            )
        )
        # Built from the literal name, not from the parameter resource: referring to the
        # resource would make the function depend on its own URL.
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    Fn.sub(
                        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
                        + parameter_name
                    )
                ],
            )
        )
        self.url = self.app_function.alias.add_function_url(
            auth_type=lambda_.FunctionUrlAuthType.NONE
        )
        # The URL attribute ends in "/"; the application appends route paths to the base.
        function_url_base = Fn.sub(
            "https://${Host}", {"Host": Fn.select(2, Fn.split("/", self.url.url))}
        )
        self.public_base_url = settings.public_base_url or function_url_base
        self.public_base_url_parameter = ssm.StringParameter(
            self,
            "PublicBaseUrl",
            parameter_name=parameter_name,
            string_value=self.public_base_url,
            description="The base URL QStash calls; token subjects are checked against it",
        )
