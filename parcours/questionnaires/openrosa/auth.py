"""HTTP authentication of device accounts, as ODK Collect and KoboCollect do it (OpenRosa Authentication API).

Digest (RFC 7616/2617, MD5, qop="auth") over any transport, checked against the stored HA1 alone. Basic only
over HTTPS, since it sends the password itself. Nonces are stateless: a timestamp and random part signed with
the secret key, valid ``NONCE_MAX_AGE`` seconds; an old nonce with a correct response gets ``stale=true`` so the
phone retries without asking for the password again. Nonce counts are not tracked (no server state), so a
captured request could be replayed within that window: HTTPS is what protects against eavesdroppers.
Staff accounts never authenticate here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.utils.crypto import salted_hmac

from parcours.accounts.models import DeviceAccount, Programme
from parcours.accounts.services import DIGEST_REALM, device_account_touch

from . import selectors

NONCE_MAX_AGE = 300
_NONCE_SALT = "parcours.openrosa.nonce"
_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')
_REQUIRED = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")


class Unauthorized(Exception):
    """No acceptable credentials: answer with a Digest challenge (``stale`` if only the nonce was too old)."""

    def __init__(self, stale: bool = False):
        super().__init__("unauthorized")
        self.stale = stale


class WrongProgramme(Exception):
    """Valid credentials of a device account that belongs to another programme."""


def _now() -> float:
    return time.time()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _sign(payload: str) -> str:
    return salted_hmac(_NONCE_SALT, payload, algorithm="sha256").hexdigest()


def nonce_make() -> str:
    payload = f"{int(_now())}.{secrets.token_hex(8)}"
    return f"{payload}.{_sign(payload)}"


def nonce_state(nonce: str) -> str:
    """``valid``, ``stale`` (genuine but too old) or ``invalid`` (not ours)."""
    payload, _, signature = nonce.rpartition(".")
    issued = payload.partition(".")[0]
    if not payload or not issued.isdigit() or not hmac.compare_digest(signature, _sign(payload)):
        return "invalid"
    age = _now() - int(issued)
    return "valid" if -60 <= age <= NONCE_MAX_AGE else "stale"


def opaque() -> str:
    return salted_hmac("parcours.openrosa.opaque", DIGEST_REALM).hexdigest()[:32]


def challenge(stale: bool = False) -> str:
    header = (f'Digest realm="{DIGEST_REALM}", qop="auth", nonce="{nonce_make()}", opaque="{opaque()}", '
              f"algorithm=MD5")
    return header + (", stale=true" if stale else "")


def parse_digest(value: str) -> dict[str, str]:
    params = {}
    for match in _PARAM.finditer(value):
        quoted, token = match.group(2), match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else token
    return params


@dataclass
class _Outcome:
    device: DeviceAccount | None
    stale: bool = False


def _digest(request, value: str) -> _Outcome:
    params = parse_digest(value)
    if any(not params.get(name) for name in _REQUIRED):
        return _Outcome(None)
    if params["realm"] != DIGEST_REALM or params["qop"].lower() != "auth":
        return _Outcome(None)
    if params.get("algorithm", "MD5").upper() != "MD5":
        return _Outcome(None)
    # The digest covers the URI the client names: it must be this request's, or a response could be reused.
    uri = urlsplit(params["uri"])
    if unquote(uri.path) != request.path or (uri.query and uri.query != request.META.get("QUERY_STRING", "")):
        return _Outcome(None)
    state = nonce_state(params["nonce"])
    if state == "invalid":
        return _Outcome(None)
    device = selectors.collect_device(params["username"])
    if device is None:
        return _Outcome(None)
    ha2 = _md5(f"{request.method}:{params['uri']}")
    expected = _md5(":".join([device.digest_ha1, params["nonce"], params["nc"], params["cnonce"], params["qop"], ha2]))
    if not hmac.compare_digest(expected, params["response"].lower()):
        return _Outcome(None)
    # RFC 2617: stale only when the digest itself is right, so the phone need not ask for the password again.
    return _Outcome(device) if state == "valid" else _Outcome(None, stale=True)


def _basic(value: str) -> _Outcome:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return _Outcome(None)
    username, sep, password = decoded.partition(":")
    device = selectors.collect_device(username) if sep else None
    if device is None:
        return _Outcome(None)
    candidate = _md5(f"{username}:{DIGEST_REALM}:{password}")
    return _Outcome(device if hmac.compare_digest(candidate, device.digest_ha1) else None)


def device_for_request(request, programme: Programme) -> DeviceAccount:
    """The device account the request authenticates, for ``programme``; raises Unauthorized or WrongProgramme."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    scheme = scheme.lower()
    if scheme == "digest":
        outcome = _digest(request, value)
    elif scheme == "basic" and request.is_secure():
        outcome = _basic(value)
    else:  # nothing, another scheme, or Basic over plain HTTP (the password would travel in clear)
        outcome = _Outcome(None)
    if outcome.device is None:
        raise Unauthorized(stale=outcome.stale)
    if outcome.device.programme_id != programme.pk:
        raise WrongProgramme()
    device_account_touch(outcome.device)
    return outcome.device
