"""The DynamoDB tables: the app's delivery store and the worker's idempotency records."""

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from .. import constants

_STRING = dynamodb.AttributeType.STRING


class Store(Construct):
    """Two on-demand tables with point-in-time recovery; items expire by TTL.

    Args:
        scope: The parent construct.
        construct_id: The construct id.
        retain_data: Keep the app table when the stack is deleted.

    Attributes:
        app_table: Hand-off marks, used tokens, delivery outcomes, dead letters
            (store/dynamodb.py: `pk`, `sk`, TTL on `expires_at`). Dead letters carry no
            `expires_at`: they stay until someone deals with them.
        idempotency_table: The worker's record per QStash message id (Powertools'
            idempotency layout: `id`, TTL on `expiration`); deleted with the stack, its
            records only ever matter for a few days.
    """

    def __init__(self, scope: Construct, construct_id: str, *, retain_data: bool) -> None:
        super().__init__(scope, construct_id)
        recovery = dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True)
        self.app_table = dynamodb.Table(
            self,
            "AppTable",
            partition_key=dynamodb.Attribute(name=constants.APP_TABLE_PARTITION_KEY, type=_STRING),
            sort_key=dynamodb.Attribute(name=constants.APP_TABLE_SORT_KEY, type=_STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=recovery,
            time_to_live_attribute=constants.APP_TABLE_TTL_ATTRIBUTE,
            removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY,
        )
        self.idempotency_table = dynamodb.Table(
            self,
            "IdempotencyTable",
            partition_key=dynamodb.Attribute(
                name=constants.IDEMPOTENCY_TABLE_PARTITION_KEY, type=_STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=recovery,
            time_to_live_attribute=constants.IDEMPOTENCY_TABLE_TTL_ATTRIBUTE,
            removal_policy=RemovalPolicy.DESTROY,
        )
