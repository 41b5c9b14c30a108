"""Settings refuse unsafe values outside development and normalise the public base URL."""

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key

# Fixed keys of the official QStash dev server's first two users
# (https://upstash.com/docs/qstash/howto/local-development).
DEV_SERVER_KEYS = [
    "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
    "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
    "sig_7GVPjvuwsfqF65iC8fSrs1dfYruM",
    "sig_5NoELc3EFnZn4DVS5bDs2Nk4b7Ua",
]
PLACEHOLDER_KEYS = [
    "changeme",
    "CHANGE-ME",
    "<current signing key>",
    "your-key-here",
    "placeholder",
]
KEY_FIELDS = ["qstash_current_signing_key", "qstash_next_signing_key"]


def key_pair(field: str, key: str) -> dict[str, str]:
    """Both key settings: `key` in `field`, a fresh real-looking key in the other."""
    return {**dict.fromkeys(KEY_FIELDS, new_signing_key()), field: key}


@pytest.mark.parametrize("field", KEY_FIELDS)
@pytest.mark.parametrize("key", DEV_SERVER_KEYS + PLACEHOLDER_KEYS)
def test_public_or_placeholder_key_is_refused_in_production(field: str, key: str) -> None:
    with pytest.raises(ValidationError, match="public or placeholder key"):
        Settings(environment="production", **key_pair(field, key))


@pytest.mark.parametrize("field", KEY_FIELDS)
@pytest.mark.parametrize("key", DEV_SERVER_KEYS + PLACEHOLDER_KEYS)
def test_public_or_placeholder_key_is_allowed_in_development(field: str, key: str) -> None:
    settings = Settings(environment="development", **key_pair(field, key))
    secret = getattr(settings, field)
    assert secret.get_secret_value() == key


def test_console_shaped_keys_are_accepted_in_production() -> None:
    settings = Settings(
        environment="production",
        qstash_current_signing_key=new_signing_key(),
        qstash_next_signing_key=new_signing_key(),
    )
    assert settings.qstash_current_signing_key is not None


def test_production_is_the_default_environment() -> None:
    assert Settings().environment == "production"


def test_http_base_url_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="must be https:// outside development"):
        Settings(environment="production", public_base_url="http://api.example.com")


def test_http_base_url_is_allowed_in_development() -> None:
    settings = Settings(environment="development", public_base_url="http://127.0.0.1:8000")
    assert settings.public_base_url == "http://127.0.0.1:8000"


def test_base_url_without_a_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="must start with https://"):
        Settings(public_base_url="api.example.com")


@pytest.mark.parametrize(
    "given",
    [
        "https://api.example.com/prod/",
        "https://api.example.com/prod//",
        " https://api.example.com/prod ",
    ],
)
def test_trailing_slash_and_whitespace_are_stripped_from_the_base_url(given: str) -> None:
    assert Settings(public_base_url=given).public_base_url == "https://api.example.com/prod"


def test_blank_base_url_means_unset() -> None:
    assert Settings(public_base_url="  ").public_base_url is None


def test_base_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://abc.lambda-url.us-east-1.on.aws/")
    assert Settings().public_base_url == "https://abc.lambda-url.us-east-1.on.aws"


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ("https://", "must name a host"),
        ("https://api.example.com/prod?stage=1", "query string"),
        ("https://api.example.com/#jobs", "fragment"),
    ],
)
def test_base_url_that_cannot_prefix_a_route_is_refused(given: str, refusal: str) -> None:
    with pytest.raises(ValidationError, match=refusal):
        Settings(public_base_url=given)


{% if cookiecutter.cloud == "aws-lambda" -%}
def test_base_url_parameter_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL_PARAMETER", "/my-stack/public-base-url")
    assert Settings().public_base_url_parameter == "/my-stack/public-base-url"


def test_blank_base_url_parameter_means_unset() -> None:
    assert Settings(public_base_url_parameter="  ").public_base_url_parameter is None


def test_base_url_parameter_is_cached_five_minutes_by_default() -> None:
    assert Settings().public_base_url_cache_seconds == 300


def test_negative_base_url_cache_seconds_are_refused() -> None:
    with pytest.raises(ValidationError, match="public_base_url_cache_seconds"):
        Settings(public_base_url_cache_seconds=-1)


{% else -%}
def test_firestore_database_is_the_default_one_unless_set() -> None:
    assert Settings().firestore_database == "(default)"


def test_firestore_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-project")
    monkeypatch.setenv("FIRESTORE_DATABASE", "jobs")
    monkeypatch.setenv("FIRESTORE_COLLECTION_PREFIX", "staging_")
    settings = Settings()
    assert (settings.google_cloud_project, settings.firestore_database) == ("my-project", "jobs")
    assert settings.firestore_collection_prefix == "staging_"


def test_collection_prefix_with_a_slash_is_refused() -> None:
    # A slash would make the prefix a path of collection and document ids, not a name.
    with pytest.raises(ValidationError, match="firestore_collection_prefix"):
        Settings(firestore_collection_prefix="jobs/")


def test_worker_lease_of_zero_seconds_is_refused() -> None:
    with pytest.raises(ValidationError, match="worker_lease_seconds"):
        Settings(worker_lease_seconds=0)


{% endif -%}
def test_refusal_does_not_reveal_a_signing_key() -> None:
    key = new_signing_key()
    with pytest.raises(ValidationError) as raised:
        Settings(public_base_url="http://api.example.com", qstash_current_signing_key=key)
    assert key[4:12] not in str(raised.value)
    assert key[-8:] not in str(raised.value)


def test_repr_does_not_reveal_a_signing_key() -> None:
    key = new_signing_key()
    assert key not in repr(Settings(**key_pair("qstash_current_signing_key", key)))


# --- publisher settings ----------------------------------------------------------------------

# The official dev server's public token (https://upstash.com/docs/qstash/howto/local-development).
DEV_SERVER_TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0="  # noqa: S105


def test_qstash_url_defaults_to_the_eu_api() -> None:
    assert Settings().qstash_url == "https://qstash.upstash.io"


def test_trailing_slash_is_stripped_from_the_qstash_url() -> None:
    url = "https://qstash-us-east-1.upstash.io/"
    assert Settings(qstash_url=url).qstash_url == "https://qstash-us-east-1.upstash.io"


def test_plain_http_qstash_url_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="QSTASH_URL must be https"):
        Settings(environment="production", qstash_url="http://127.0.0.1:8080")


def test_plain_http_qstash_url_is_allowed_in_development() -> None:
    settings = Settings(environment="development", qstash_url="http://127.0.0.1:8080")
    assert settings.qstash_url == "http://127.0.0.1:8080"


# The second dev-server user's token, same page.
SECOND_DEV_SERVER_TOKEN = "eyJVc2VySUQiOiJ0ZXN0VXNlcjEiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9"  # noqa: S105


@pytest.mark.parametrize(
    "token", [DEV_SERVER_TOKEN, SECOND_DEV_SERVER_TOKEN, "changeme", "<your token>"]
)
def test_public_or_placeholder_qstash_token_is_refused_in_production(token: str) -> None:
    with pytest.raises(ValidationError, match="QSTASH_TOKEN is the dev server's public token"):
        Settings(environment="production", qstash_token=token)


def test_dev_server_token_is_allowed_in_development() -> None:
    assert Settings(environment="development", qstash_token=DEV_SERVER_TOKEN).qstash_token


def test_refusal_does_not_reveal_the_qstash_token() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(environment="production", qstash_token=DEV_SERVER_TOKEN)
    assert DEV_SERVER_TOKEN not in str(raised.value)


def test_max_message_bytes_defaults_to_the_free_plan_limit() -> None:
    assert Settings().qstash_max_message_bytes == 1_000_000


@pytest.mark.parametrize(
    "name",
    [
        "qstash_connect_timeout_seconds",
        "qstash_read_timeout_seconds",
        "qstash_write_timeout_seconds",
        "qstash_pool_timeout_seconds",
    ],
)
def test_timeouts_must_be_positive(name: str) -> None:
    with pytest.raises(ValidationError):
        Settings(**{name: 0})


@pytest.mark.parametrize("given", ["debug", " Warning ", "ERROR"])
def test_log_level_is_accepted_in_any_case(given: str) -> None:
    assert Settings(log_level=given).log_level == given.strip().upper()


def test_unknown_log_level_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="log_level"):
        Settings(log_level="verbose")


@pytest.mark.parametrize("only", ["qstash_current_signing_key", "qstash_next_signing_key"])
def test_half_a_key_pair_is_refused_at_start_up(only: str) -> None:
    with pytest.raises(ValidationError, match="set both"):
        Settings(**{only: "sig_" + "k" * 28}, environment="development")
