"""Application settings, read once from the environment (pydantic-settings).

Every setting is an environment variable of the same name in upper case, e.g. `PUBLIC_BASE_URL`.
"""

from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .public_url import normalise_public_base_url
from .qstash.keys import is_placeholder, is_public_signing_key
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
from .qstash.options import MAX_RETRIES
{%- endif %}

# The official dev server's fixed tokens, one per built-in user (base64 of a user name and
# password), from https://upstash.com/docs/qstash/howto/local-development.
PUBLIC_QSTASH_TOKENS = frozenset(
    {
        "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
        "eyJVc2VySUQiOiJ0ZXN0VXNlcjEiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        "eyJVc2VySUQiOiJ0ZXN0VXNlcjIiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        "eyJVc2VySUQiOiJ0ZXN0VXNlcjMiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
    }
)
DEFAULT_QSTASH_URL = "https://qstash.upstash.io"


class Settings(BaseSettings):
    """Runtime configuration.

    Attributes:
        environment: `production` (the safe default) or `development`. Outside development,
            public or placeholder signing keys are refused and the public base URL must be https.
{%- if cookiecutter.cloud == "aws-lambda" %}
        public_base_url: The URL QStash calls this app at, without a trailing path, e.g.
            `https://abc.lambda-url.us-east-1.on.aws` or `https://api.example.com/prod`. The
            `sub` claim of every token is compared with this plus the route path. Wins over
            `public_base_url_parameter` (a custom domain in front of the Function URL).
        public_base_url_parameter: Name of an SSM parameter holding the public base URL, e.g.
            `/my-stack/public-base-url`. The deployed stack writes its Function URL there,
            since a function cannot carry its own URL in its environment. Read on the first
            delivery, never at start-up, and cached for `public_base_url_cache_seconds`.
        public_base_url_cache_seconds: How long the parameter's value is cached per container.
        qstash_current_signing_key: Current signing key (local development; prefer a secret).
        qstash_next_signing_key: Next signing key (local development; prefer a secret).
        qstash_signing_keys_secret_arn: AWS Secrets Manager secret holding a JSON object with
            `QSTASH_CURRENT_SIGNING_KEY` and `QSTASH_NEXT_SIGNING_KEY`. Wins over the two above.
        signing_keys_cache_seconds: How long fetched signing keys are cached per container.
        signature_leeway_seconds: Clock skew tolerated on the token's `exp`, `nbf` and `iat`.
        jobs_queue_url: SQS queue that accepted jobs are handed off to.
        app_table_name: DynamoDB table for hand-off marks, delivery outcomes and dead letters.
        idempotency_table_name: DynamoDB table for the worker's idempotency records.
{%- endif %}{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
        public_base_url: The URL QStash calls this app at, without a trailing path: the
            function URL, e.g. `https://europe-west1-my-project.cloudfunctions.net/jobs`,
            or a custom domain. Required outside development. The `sub` claim of every token
            is compared with this plus the route path: a deployed function sees the path
            without its name, so the URL is never built from the request.
        qstash_current_signing_key: Current signing key (Secret Manager, via `--set-secrets`).
        qstash_next_signing_key: Next signing key (Secret Manager, via `--set-secrets`).
        signature_leeway_seconds: Clock skew tolerated on the token's `exp`, `nbf` and `iat`.
        google_cloud_project: The Google Cloud project of the Firestore database (default:
            the one the function runs in, as the client library finds it).
        firestore_database: The Firestore database id, `(default)` unless you made another.
        firestore_collection_prefix: Prefix of this app's Firestore collection names.
        firestore_timeout_seconds: Most seconds one Firestore call may take, retries included.
        worker_lease_seconds: How long a started run of a job keeps other deliveries of it
            off; after it, a run whose worker died is run again. Keep it above the
            function's timeout.
        worker_retries: `Upstash-Retries` of the re-publish to the worker route: how often
            QStash retries a job that failed there, after the first delivery, 0 to
            `MAX_RETRIES` (https://upstash.com/docs/qstash/features/retry). The original
            message's own retries cover only the hand-off.
{%- endif %}
        idempotency_expiry_seconds: How long a message id is remembered by the worker.
        handoff_retry_after_seconds: `Retry-After` sent with a 503 when the hand-off failed.
        max_body_bytes: Largest request body a QStash route reads, in bytes; a larger one
            is answered 489 before it is hashed or parsed. The default, 3 MB, fits what
            QStash sends on the Free plan, whose messages are at most 1 MB
            (https://upstash.com/pricing/qstash: Free 1 MB, Pay-as-you-go 10 MB, fixed plans
            50 MB): a failure callback carries the message and the destination's answer,
{%- if cookiecutter.cloud == "aws-lambda" %}
            each base64-encoded (4/3 of its size), about 2.7 MB in all. Behind a Function
            URL, Lambda's 6 MB limit on a synchronous invocation's payload
            (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) caps
            any setting: it counts the whole event, where a binary body arrives
            base64-encoded, so binary bodies stop near 4.5 MB. The limit counts the bytes
            QStash signed (after base64 decoding).
{%- else %}
            each base64-encoded (4/3 of its size), about 2.7 MB in all. Cloud Functions
            2nd gen caps any setting at 32 MB, its largest HTTP request
            (https://cloud.google.com/functions/quotas). The limit counts the bytes QStash
            signed (after base64 decoding).
{%- endif %}
        log_level: Logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL (any case).
        qstash_url: QStash REST API base URL (publishing and the DLQ). EU by default;
            `https://qstash-us-east-1.upstash.io` for the US region
            (https://upstash.com/docs/qstash/howto/multi-region). A local URL (http,
            localhost, a private address) marks a development double and lets the publisher
            use local destinations.
        qstash_token: QStash REST token (`Authorization: Bearer`), from the Upstash console.
            Only the publisher and the CLI need it; the receiver never does.
        qstash_connect_timeout_seconds: Seconds to wait for a connection to QStash.
        qstash_read_timeout_seconds: Seconds to wait for each read of QStash's answer.
        qstash_write_timeout_seconds: Seconds to wait for each write of the request.
        qstash_pool_timeout_seconds: Seconds to wait for a free connection from the pool.
        qstash_max_message_bytes: Largest payload the publisher sends, in bytes. The default
            is the Free plan's 1 MB message size (https://upstash.com/pricing/qstash:
            Free 1 MB, Pay-as-you-go 10 MB, fixed plans 50 MB); raise it to your plan's.
        qstash_rate_limit_max_attempts: Attempts per API call while QStash answers 429,
            the first included.
        qstash_rate_limit_max_wait_seconds: Most seconds one API call spends waiting out
            429s; a 429 whose reset is further away (a spent daily quota) fails at once.
    """

    # hide_input_in_errors: a refused setting must not print the signing keys into the log.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    environment: Literal["production", "development"] = "production"
    public_base_url: str | None = None
{%- if cookiecutter.cloud == "aws-lambda" %}
    public_base_url_parameter: str | None = None
    public_base_url_cache_seconds: int = Field(default=300, ge=0)
{%- endif %}
    qstash_current_signing_key: SecretStr | None = None
    qstash_next_signing_key: SecretStr | None = None
{%- if cookiecutter.cloud == "aws-lambda" %}
    qstash_signing_keys_secret_arn: str | None = None
    signing_keys_cache_seconds: int = Field(default=300, ge=0)
{%- endif %}
    signature_leeway_seconds: int = Field(default=30, ge=0, le=300)
{%- if cookiecutter.cloud == "aws-lambda" %}
    jobs_queue_url: str | None = None
    app_table_name: str | None = None
    idempotency_table_name: str | None = None
{%- endif %}{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
    google_cloud_project: str | None = None
    firestore_database: str = Field(default="(default)", min_length=1)
    firestore_collection_prefix: str = Field(default="qstash_", pattern=r"^[A-Za-z0-9_-]*$")
    firestore_timeout_seconds: float = Field(default=5.0, gt=0)
    worker_lease_seconds: int = Field(default=900, gt=0)
    worker_retries: int = Field(default=3, ge=0, le=MAX_RETRIES)
{%- endif %}
    idempotency_expiry_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    handoff_retry_after_seconds: int = Field(default=10, ge=1)
    max_body_bytes: int = Field(default=3_000_000, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    qstash_url: str = DEFAULT_QSTASH_URL
    qstash_token: SecretStr | None = None
    qstash_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    qstash_read_timeout_seconds: float = Field(default=10.0, gt=0)
    qstash_write_timeout_seconds: float = Field(default=10.0, gt=0)
    qstash_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    qstash_max_message_bytes: int = Field(default=1_000_000, gt=0)
    qstash_rate_limit_max_attempts: int = Field(default=8, ge=1, le=100)
    qstash_rate_limit_max_wait_seconds: float = Field(default=60.0, ge=0)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _refuse_half_a_key_pair(self) -> Self:
        # One key alone would fail every delivery at run time (503); say so at start-up.
        if (self.qstash_current_signing_key is None) != (self.qstash_next_signing_key is None):
            raise ValueError(
                "set both QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY, or neither"
            )
        return self

    @field_validator("public_base_url")
    @classmethod
    def _normalise_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        # http is refused outside development below, once `environment` is known.
        return normalise_public_base_url(value, allow_http=True)

{%- if cookiecutter.cloud == "aws-lambda" %}

    @field_validator("public_base_url_parameter")
    @classmethod
    def _blank_parameter_means_unset(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return value.strip()
{%- endif %}

    @field_validator("qstash_url")
    @classmethod
    def _normalise_qstash_url(cls, value: str) -> str:
        value = value.strip().rstrip("/") or DEFAULT_QSTASH_URL
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// in development)")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_values_outside_development(self) -> Self:
        if self.environment == "development":
            return self
        if self.public_base_url and not self.public_base_url.startswith("https://"):
            raise ValueError("PUBLIC_BASE_URL must be https:// outside development")
        for name in ("qstash_current_signing_key", "qstash_next_signing_key"):
            secret: SecretStr | None = getattr(self, name)
            if secret is not None and is_public_signing_key(secret.get_secret_value()):
                raise ValueError(
                    f"{name.upper()} is a public or placeholder key; outside development "
{%- if cookiecutter.cloud == "aws-lambda" %}
                    "use the keys from the Upstash console (QSTASH_SIGNING_KEYS_SECRET_ARN)"
{%- else %}
                    "use the keys from the Upstash console (Secret Manager, --set-secrets)"
{%- endif %}
                )
        if not self.qstash_url.startswith("https://"):
            raise ValueError("QSTASH_URL must be https:// outside development")
        token = self.qstash_token.get_secret_value() if self.qstash_token else None
        if token is not None and (token in PUBLIC_QSTASH_TOKENS or is_placeholder(token)):
            raise ValueError(
                "QSTASH_TOKEN is the dev server's public token or a placeholder; outside "
                "development use the token from the Upstash console"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first call.

    Raises:
        pydantic.ValidationError: A setting is malformed or unsafe for the environment.
    """
    return Settings()
