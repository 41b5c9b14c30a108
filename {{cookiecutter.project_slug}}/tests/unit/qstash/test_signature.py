"""verify_signature and body_hash, without HTTP: the token rules of the QStash protocol."""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from {{ cookiecutter.package_name }}.errors import SignatureError
from {{ cookiecutter.package_name }}.qstash import SigningKeys, body_hash, verify_signature
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key, sign

from ...conftest import JOB_PATH, PUBLIC_BASE_URL

URL = PUBLIC_BASE_URL + JOB_PATH
BODY = b'{"user_id":"u-1","email":"ada@example.com"}'
LEEWAY = 30
# The body of the curl examples in the QStash docs, and the claim QStash signs for it.
DOCS_BODY = b'{ "hello": "world" }'
DOCS_BODY_CLAIM = "5hAiS5m_HigGV8-1dStqZj1zk1LfoegovJ0bx4Njoqs="


def verify(token: str, keys: SigningKeys, *, body: bytes = BODY, url: str | None = URL) -> Any:
    return verify_signature(token, body=body, url=url, keys=keys, leeway=LEEWAY)


def rejection(token: str, keys: SigningKeys, **kwargs: Any) -> SignatureError:
    with pytest.raises(SignatureError) as raised:
        verify(token, keys, **kwargs)
    return raised.value


def with_body_claim(token: str, key: str, claim: Any) -> str:
    """Re-sign `token` with its `body` claim replaced (None removes it).

    `sign(..., body=...)` cannot do this: its first parameter is also called `body`.
    """
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.pop("body")
    if claim is not None:
        claims["body"] = claim
    return jwt.encode(claims, key.encode("utf-8"), algorithm="HS256")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hand_made_token(header: dict[str, Any], key: str, signer: Callable[[bytes], bytes]) -> str:
    """A token with QStash's claims for BODY/URL but any JOSE header and signature.

    Built by hand because PyJWT refuses (or warns about) the very tokens we want to send.
    """
    claims = jwt.decode(sign(BODY, URL, key), options={"verify_signature": False})
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64url(signer(signing_input.encode('ascii')))}"


# --- keys -------------------------------------------------------------------------------


def test_token_signed_with_current_key_is_accepted(keys: SigningKeys) -> None:
    claims = verify(sign(BODY, URL, keys.current), keys)
    assert claims.key == "current"
    assert claims.subject == URL


def test_token_signed_with_next_key_is_accepted(keys: SigningKeys) -> None:
    claims = verify(sign(BODY, URL, keys.next), keys)
    assert claims.key == "next"


def test_token_signed_with_a_key_rolled_out_twice_is_rejected_with_both_reasons(
    keys: SigningKeys,
) -> None:
    error = rejection(sign(BODY, URL, new_signing_key()), keys)
    assert set(error.details) == {"current", "next"}
    assert "Signature verification failed" in error.details["current"]
    assert "Signature verification failed" in error.details["next"]


def test_signing_keys_repr_hides_both_keys(keys: SigningKeys) -> None:
    shown = repr(keys)
    assert keys.current not in shown
    assert keys.next not in shown


# --- body -------------------------------------------------------------------------------


def test_tampered_body_is_rejected(keys: SigningKeys) -> None:
    token = sign(BODY, URL, keys.current)
    error = rejection(token, keys, body=BODY.replace(b"u-1", b"u-2"))
    assert "body hash does not match" in error.details["current"]


def test_body_claim_without_padding_is_accepted(keys: SigningKeys) -> None:
    token = with_body_claim(
        sign(BODY, URL, keys.current), keys.current, body_hash(BODY).rstrip("=")
    )
    assert verify(token, keys).key == "current"


def test_body_claim_that_is_not_a_string_is_rejected(keys: SigningKeys) -> None:
    error = rejection(with_body_claim(sign(BODY, URL, keys.current), keys.current, 12345), keys)
    assert "body hash does not match" in error.details["current"]


def test_empty_body_is_accepted(keys: SigningKeys) -> None:
    assert verify(sign(b"", URL, keys.current), keys, body=b"").key == "current"


def test_non_utf8_body_verifies_over_the_raw_bytes(keys: SigningKeys) -> None:
    binary = b"\xff\xfe\x00binary"
    assert verify(sign(binary, URL, keys.current), keys, body=binary).key == "current"


# Public report #6: the docs' curl examples send JSON with spaces; the claim covers those bytes.
def test_body_hash_of_docs_curl_body_is_the_claim_qstash_sends() -> None:
    assert body_hash(DOCS_BODY) == DOCS_BODY_CLAIM


def test_token_carrying_docs_curl_body_claim_verifies(keys: SigningKeys) -> None:
    token = with_body_claim(sign(DOCS_BODY, URL, keys.current), keys.current, DOCS_BODY_CLAIM)
    assert verify(token, keys, body=DOCS_BODY).key == "current"


def test_reserialised_json_body_does_not_verify(keys: SigningKeys) -> None:
    token = with_body_claim(sign(DOCS_BODY, URL, keys.current), keys.current, DOCS_BODY_CLAIM)
    reserialised = json.dumps(json.loads(DOCS_BODY)).encode()
    assert reserialised != DOCS_BODY
    rejection(token, keys, body=reserialised)


@pytest.mark.parametrize(
    ("body", "claim"),
    [
        pytest.param(b"", "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=", id="empty"),
        pytest.param(
            b'{"hello":"world"}', "k6I5cakU5erL8KjSUVTNownDwccvu5kU1Hxg88toFYg=", id="js-stringify"
        ),
        pytest.param(
            b'{"hello": "world"}', "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", id="py-dumps"
        ),
        pytest.param(DOCS_BODY, DOCS_BODY_CLAIM, id="docs-curl"),
    ],
)
def test_body_hash_matches_protocol_test_vectors(body: bytes, claim: str) -> None:
    assert body_hash(body) == claim


def test_body_hash_is_url_safe_base64_of_sha256() -> None:
    digest = hashlib.sha256(BODY).digest()
    assert base64.urlsafe_b64decode(body_hash(BODY)) == digest


# --- subject ----------------------------------------------------------------------------


def test_token_for_another_url_is_rejected(keys: SigningKeys) -> None:
    token = sign(BODY, PUBLIC_BASE_URL + "/qstash/jobs/other", keys.current)
    error = rejection(token, keys)
    assert "is not this route's URL" in error.details["current"]


@pytest.mark.parametrize(
    ("subject", "url"),
    [
        pytest.param(URL + "/", URL, id="slash-in-sub"),
        pytest.param(URL, URL + "/", id="slash-in-url"),
    ],
)
def test_trailing_slash_on_either_side_is_accepted(
    keys: SigningKeys, subject: str, url: str
) -> None:
    assert verify(sign(BODY, subject, keys.current), keys, url=url).key == "current"


def test_token_without_sub_is_rejected(keys: SigningKeys) -> None:
    error = rejection(sign(BODY, URL, keys.current, sub=None), keys)
    assert "is not this route's URL" in error.details["current"]


def test_subject_is_not_checked_when_no_url_is_given(keys: SigningKeys) -> None:
    token = sign(BODY, "https://elsewhere.example.com/hook", keys.current)
    assert verify(token, keys, url=None).subject == "https://elsewhere.example.com/hook"


# --- time -------------------------------------------------------------------------------


def test_expired_token_is_rejected(keys: SigningKeys) -> None:
    token = sign(BODY, URL, keys.current, now=time.time() - 300 - LEEWAY - 30)
    error = rejection(token, keys)
    assert "expired" in error.details["current"]


def test_token_expired_within_the_leeway_is_accepted(keys: SigningKeys) -> None:
    token = sign(BODY, URL, keys.current, now=time.time() - 300 - LEEWAY // 2)
    assert verify(token, keys).key == "current"


def test_nbf_beyond_the_leeway_is_rejected(keys: SigningKeys) -> None:
    token = sign(BODY, URL, keys.current, nbf=int(time.time()) + LEEWAY + 30)
    error = rejection(token, keys)
    assert "not yet valid (nbf)" in error.details["current"]


def test_nbf_within_the_leeway_is_accepted(keys: SigningKeys) -> None:
    token = sign(BODY, URL, keys.current, nbf=int(time.time()) + LEEWAY // 2)
    assert verify(token, keys).key == "current"


def test_nbf_zero_is_accepted(keys: SigningKeys) -> None:
    assert verify(sign(BODY, URL, keys.current, nbf=0), keys).key == "current"


def test_iat_in_the_future_within_the_leeway_is_accepted(keys: SigningKeys) -> None:
    token = sign(BODY, URL, keys.current, now=time.time() + LEEWAY // 2)
    assert verify(token, keys).key == "current"


def test_iat_in_the_future_beyond_the_leeway_is_rejected(keys: SigningKeys) -> None:
    token = sign(BODY, URL, keys.current, now=time.time() + LEEWAY + 30)
    error = rejection(token, keys)
    assert "not yet valid (iat)" in error.details["current"]


# --- algorithm and claims ---------------------------------------------------------------


def test_alg_none_token_is_rejected(keys: SigningKeys) -> None:
    token = hand_made_token({"alg": "none", "typ": "JWT"}, keys.current, lambda _: b"")
    error = rejection(token, keys)
    assert "alg" in error.details["current"]


def test_hs512_token_signed_with_the_current_key_is_rejected(keys: SigningKeys) -> None:
    key = keys.current.encode("utf-8")
    token = hand_made_token(
        {"alg": "HS512", "typ": "JWT"},
        keys.current,
        lambda data: hmac.new(key, data, hashlib.sha512).digest(),
    )
    error = rejection(token, keys)
    assert "alg value is not allowed" in error.details["current"]


def test_rs256_token_is_rejected_by_algorithm(keys: SigningKeys) -> None:
    # `cryptography` is not a declared dependency, so no real RSA key: the verifier must
    # refuse on the header's `alg` before it looks at the signature bytes.
    token = hand_made_token({"alg": "RS256", "typ": "JWT"}, keys.current, lambda _: b"\x01" * 256)
    error = rejection(token, keys)
    assert "alg value is not allowed" in error.details["current"]


def test_token_without_body_claim_is_rejected(keys: SigningKeys) -> None:
    error = rejection(with_body_claim(sign(BODY, URL, keys.current), keys.current, None), keys)
    assert '"body"' in error.details["current"]


def test_token_without_exp_is_rejected(keys: SigningKeys) -> None:
    error = rejection(sign(BODY, URL, keys.current, exp=None), keys)
    assert '"exp"' in error.details["current"]


def test_token_from_another_issuer_is_rejected(keys: SigningKeys) -> None:
    error = rejection(sign(BODY, URL, keys.current, iss="NotUpstash"), keys)
    assert "issuer" in error.details["current"]


def test_empty_audience_claim_is_accepted(keys: SigningKeys) -> None:
    # The official SDKs' test helpers put `"aud": ""` in their tokens.
    assert verify(sign(BODY, URL, keys.current, aud=""), keys).key == "current"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param("eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJVcHN0YXNoIn0", id="two-segments"),
        pytest.param("a.b.c", id="three-bad-segments"),
    ],
)
def test_malformed_token_is_rejected(keys: SigningKeys, token: str) -> None:
    error = rejection(token, keys)
    assert error.details["current"].startswith("invalid token")
