"""One rule for every signing-key source: public and placeholder keys fail closed."""

import pytest

from {{ cookiecutter.package_name }}.errors import SigningKeysUnavailableError
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.qstash.keys import (
    PUBLIC_SIGNING_KEYS,
    is_public_signing_key,
    refuse_public_signing_keys,
)
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key

# The official QStash dev server's fixed keys, its four users' current and next
# (https://upstash.com/docs/qstash/howto/local-development), and the pair the Workflow docs
# print as its output (https://upstash.com/docs/workflow/howto/local-development).
DEV_SERVER_KEYS = [
    "sig_7RvLjqfZBvP5KEUimQCE1pvpLuou",
    "sig_7W3ZNbfKWk5NWwEs3U4ixuQ7fxwE",
    "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
    "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
    "sig_7GVPjvuwsfqF65iC8fSrs1dfYruM",
    "sig_5NoELc3EFnZn4DVS5bDs2Nk4b7Ua",
    "sig_6jWGaWRxHsw4vMSPJprXadyvrybF",
    "sig_7qHbvhmahe5GwfePDiS5Lg3pi6Qx",
    "sig_5T8FcSsynBjn9mMLBsXhpacRovJf",
    "sig_7GFR4YaDshFcqsxWRZpRB161jguD",
]


def test_every_dev_server_key_is_known_to_be_public() -> None:
    assert set(DEV_SERVER_KEYS) == PUBLIC_SIGNING_KEYS


@pytest.mark.parametrize("key", [*DEV_SERVER_KEYS, "changeme", "<current signing key>"])
def test_dev_server_and_placeholder_keys_are_public(key: str) -> None:
    assert is_public_signing_key(key)


def test_a_console_shaped_key_is_not_public() -> None:
    assert not is_public_signing_key(new_signing_key())


def test_private_keys_pass() -> None:
    refuse_public_signing_keys(
        SigningKeys(current=new_signing_key(), next=new_signing_key()), source="test"
    )


@pytest.mark.parametrize("which", ["current", "next"])
def test_one_public_key_in_the_pair_fails_closed_naming_which(which: str) -> None:
    pair = {"current": new_signing_key(), "next": new_signing_key(), which: DEV_SERVER_KEYS[0]}
    with pytest.raises(SigningKeysUnavailableError) as raised:
        refuse_public_signing_keys(SigningKeys(**pair), source="SecretsManagerSigningKeySource")
    assert raised.value.details == {"keys": [which], "source": "SecretsManagerSigningKeySource"}


def test_refusal_never_contains_the_key() -> None:
    keys = SigningKeys(current=DEV_SERVER_KEYS[0], next=DEV_SERVER_KEYS[1])
    with pytest.raises(SigningKeysUnavailableError) as raised:
        refuse_public_signing_keys(keys, source="test")
    shown = f"{raised.value.message} {raised.value.details}"
    assert DEV_SERVER_KEYS[0] not in shown
    assert DEV_SERVER_KEYS[1] not in shown
