"""The Secrets Manager secret with the QStash signing keys and token."""

import json

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .. import constants


class QStashSecret(Construct):
    r"""One JSON secret; its values never pass through code, cdk.json or the template.

    The deploy creates it with every field empty (Secrets Manager generates a random
    `placeholder` field, the only way to create a secret with no value in the template);
    until the values are set, the ingest function answers 503 and logs which fields are
    missing. Set them once, out of band:

        aws secretsmanager put-secret-value --secret-id <SecretArn output> \\
          --secret-string file://qstash-secret.json

    with `{"QSTASH_CURRENT_SIGNING_KEY": "sig_...", "QSTASH_NEXT_SIGNING_KEY": "sig_...",
    "QSTASH_TOKEN": "..."}` from the Upstash console. Later deploys leave the values alone.

    Args:
        scope: The parent construct.
        construct_id: The construct id.

    Attributes:
        secret: The secret; functions receive its ARN, never its value.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description=(
                "QStash signing keys and token (JSON fields "
                + ", ".join(constants.SECRET_FIELDS)
                + "); set with aws secretsmanager put-secret-value"
            ),
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(dict.fromkeys(constants.SECRET_FIELDS, "")),
                generate_string_key="placeholder",
                exclude_punctuation=True,
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
