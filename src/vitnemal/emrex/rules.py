"""The EMREX 1 rules of the data provider, without I/O: what a client's request may hold, which return URLs are
answered (only a registered client's, exactly), and the form the portal POSTs back to the client.

EMREX 1 (emrex-eu/standard): the client POSTs an ordinary form with ``sessionId`` and ``returnUrl``; the data
provider answers by POSTing ``sessionId``, ``returnCode`` (``NCP_OK``, ``NCP_NO_RESULTS``, ``NCP_CANCEL``,
``NCP_ERROR``), ``returnMessage`` and, with ``NCP_OK``, ``elmo`` (the signed ELMO, gzipped, base64) to the
return URL. Everything from the client is bounded here before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from vitnemal.interop.elmo_sign import encode_for_transfer

MAX_SESSION_ID = 64  # the standard's session ids are 32 random characters
MAX_RETURN_URL = 500
MAX_MESSAGE = 500
MAX_CLIENT_NAME = 200
_SESSION_ID = re.compile(r"[A-Za-z0-9_.:-]+")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class ReturnCode(StrEnum):
    OK = "NCP_OK"
    NO_RESULTS = "NCP_NO_RESULTS"
    CANCEL = "NCP_CANCEL"
    ERROR = "NCP_ERROR"


class EmrexRefused(ValueError):
    """A request the data provider does not answer; the message says what is wrong and what to do."""


def check_session_id(value: str) -> str:
    """The client's ``sessionId``: 1–64 letters, digits and ``_.:-`` (it is echoed back, so nothing else)."""
    if not value or len(value) > MAX_SESSION_ID or not _SESSION_ID.fullmatch(value):
        raise EmrexRefused(f"sessionId must be 1–{MAX_SESSION_ID} letters, digits or _.:- characters")
    return value


def normalise_url(url: str, *, production: bool) -> str:
    """A return URL as registered and compared: https (plain http only to this machine outside production), no
    user info, no fragment; the scheme and host lower-cased."""
    url = url.strip()
    if not url or len(url) > MAX_RETURN_URL:
        raise EmrexRefused(f"returnUrl must be an address of at most {MAX_RETURN_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError as exc:  # also a bracket left open ("https://[::1/")
        raise EmrexRefused(f"returnUrl cannot be read as an address ({exc})") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password or parts.fragment:
        raise EmrexRefused("returnUrl must be an absolute https address without user name or fragment")
    if parts.scheme == "http" and (production or host not in _LOCAL_HOSTS):
        raise EmrexRefused("returnUrl must use https (plain http only to localhost, outside production)")
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host:
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    return f"{parts.scheme}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def registered_return_url(url: str, registered: Iterable[str], *, production: bool) -> str:
    """The return URL if a registered client has exactly this one; otherwise refused (an open redirect that
    carries signed results to anyone who asks is the one thing a data provider must never be)."""
    wanted = normalise_url(url, production=production)
    known = set()
    for entry in registered:
        try:
            known.add(normalise_url(entry, production=production))
        except EmrexRefused:  # a plain-http development client is never answered in production
            continue
    if wanted not in known:
        raise EmrexRefused("returnUrl is not the return address of any registered EMREX client")
    return wanted


def origin(url: str) -> str:
    """scheme://host[:port] of a (normalised) return URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_CSP_PATH = re.compile(r"[A-Za-z0-9/._~%!$&()*+=:@-]*")


def csp_source(url: str) -> str:
    """The Content-Security-Policy source that allows a (normalised) return URL and nothing beside it: its origin
    and path (CSP ignores the query). A path CSP cannot say exactly (a space, ``;``, ``,``, a quote) is refused, so
    such an address is never registered."""
    parts = urlsplit(url)
    if not _CSP_PATH.fullmatch(parts.path) or not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc):
        raise EmrexRefused("returnUrl may hold only letters, digits and / . _ ~ % ! $ & ( ) * + = : @ - in its "
                           "host and path")
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


@dataclass(frozen=True)
class Handback:
    """The form the portal POSTs to the client's return URL."""

    return_url: str
    fields: dict[str, str]


def handback(return_url: str, session_id: str, code: ReturnCode, message: str = "",
             elmo: bytes | None = None) -> Handback:
    """The answer to one request: ``elmo`` (signed ELMO) goes along with NCP_OK only, and NCP_OK needs it."""
    if (code is ReturnCode.OK) != (elmo is not None):
        raise ValueError("the signed ELMO goes along with NCP_OK, and only with it")
    fields = {"sessionId": check_session_id(session_id), "returnCode": code.value,
              "returnMessage": " ".join(message.split())[:MAX_MESSAGE]}
    if elmo is not None:
        fields["elmo"] = encode_for_transfer(elmo)
    return Handback(return_url, fields)
