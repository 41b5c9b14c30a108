import json

import boto3
import pytest

from {{ cookiecutter.package_name }}.aws.clients import FAST_FAIL, secretsmanager_client
from {{ cookiecutter.package_name }}.aws.signing_keys import SecretsManagerSigningKeySource
from {{ cookiecutter.package_name }}.errors import SigningKeysUnavailableError
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key


def _put(secret_id: str, value: str) -> None:
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=value)


def test_keys_are_read_from_the_secret(aws: LocalResources, keys: SigningKeys) -> None:
    source = SecretsManagerSigningKeySource(aws.signing_keys_secret_arn, max_age=300)
    assert source.get() == keys


def test_keys_are_cached_for_max_age(aws: LocalResources, keys: SigningKeys) -> None:
    source = SecretsManagerSigningKeySource(aws.signing_keys_secret_arn, max_age=300)
    source.get()
    rolled = {"QSTASH_CURRENT_SIGNING_KEY": keys.next, "QSTASH_NEXT_SIGNING_KEY": new_signing_key()}
    _put(aws.signing_keys_secret_arn, json.dumps(rolled))
    assert source.get() == keys


def test_rolled_keys_are_seen_once_the_cache_expires(
    aws: LocalResources, keys: SigningKeys
) -> None:
    source = SecretsManagerSigningKeySource(aws.signing_keys_secret_arn, max_age=0)
    source.get()
    newest = new_signing_key()
    _put(
        aws.signing_keys_secret_arn,
        json.dumps({"QSTASH_CURRENT_SIGNING_KEY": keys.next, "QSTASH_NEXT_SIGNING_KEY": newest}),
    )
    assert source.get() == SigningKeys(current=keys.next, next=newest)


def test_whitespace_pasted_around_the_keys_is_ignored(
    aws: LocalResources, keys: SigningKeys
) -> None:
    padded = {
        "QSTASH_CURRENT_SIGNING_KEY": f" {keys.current}\n",
        "QSTASH_NEXT_SIGNING_KEY": f"{keys.next}\r\n",
    }
    _put(aws.signing_keys_secret_arn, json.dumps(padded))
    source = SecretsManagerSigningKeySource(aws.signing_keys_secret_arn, max_age=0)
    assert source.get() == keys


def test_missing_secret_fails_closed(aws: LocalResources) -> None:
    source = SecretsManagerSigningKeySource(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope", 300
    )
    with pytest.raises(SigningKeysUnavailableError, match="cannot read"):
        source.get()


@pytest.mark.parametrize(
    "secret",
    [
        "not json",
        json.dumps(["a", "b"]),
        json.dumps({"QSTASH_CURRENT_SIGNING_KEY": "sig_only_current_key_0000000000"}),
        json.dumps({"QSTASH_CURRENT_SIGNING_KEY": "", "QSTASH_NEXT_SIGNING_KEY": ""}),
        json.dumps({"QSTASH_CURRENT_SIGNING_KEY": " \n", "QSTASH_NEXT_SIGNING_KEY": "\t"}),
    ],
    ids=["not-json", "json-array", "next-missing", "empty-values", "blank-values"],
)
def test_malformed_secret_fails_closed(aws: LocalResources, secret: str) -> None:
    _put(aws.signing_keys_secret_arn, secret)
    source = SecretsManagerSigningKeySource(aws.signing_keys_secret_arn, max_age=0)
    with pytest.raises(SigningKeysUnavailableError):
        source.get()


def test_key_values_never_appear_in_the_repr(keys: SigningKeys) -> None:
    assert keys.current not in repr(keys)
    assert keys.next not in repr(keys)


def test_secret_is_read_with_the_container_s_fast_fail_client(aws: LocalResources) -> None:
    # Powertools' default provider would make its own client, waiting up to 60 s a read.
    source = SecretsManagerSigningKeySource(aws.signing_keys_secret_arn, max_age=300)
    assert source.client is secretsmanager_client()
    assert source.client.meta.config.connect_timeout == FAST_FAIL.connect_timeout
    assert source.client.meta.config.read_timeout == FAST_FAIL.read_timeout
