"""What a verification means for a person: one plain verdict from the report's first reason (pure rules, no I/O).

The report keeps every technical reason; the page leads with the verdict (genuine, modified, unknown signer, ...)
and says who signed, what the issuing record says, and for a portal PDF whether the share behind it still works.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    GENUINE = "genuine"
    MODIFIED = "modified"  # the bytes or the signature no longer match what was signed
    UNKNOWN_SIGNER = "unknown_signer"  # signed, but not under a CA this service trusts
    NOT_ISSUED = "not_issued"  # signed with a trusted key, yet the issuer has no matching record
    REVOKED = "revoked"
    NOT_SIGNED = "not_signed"
    UNREADABLE = "unreadable"


_BY_REASON = {
    None: Verdict.GENUINE,
    "unreadable": Verdict.UNREADABLE,
    "not_signed": Verdict.NOT_SIGNED,
    "changed_bytes": Verdict.MODIFIED,
    "signer_certificate_mismatch": Verdict.MODIFIED,
    "bad_signature": Verdict.MODIFIED,
    "appended_revision": Verdict.MODIFIED,
    "not_certified": Verdict.MODIFIED,  # our issuers certify "no changes"; a signature that allows them is not ours
    "record_mismatch": Verdict.MODIFIED,
    "untrusted_ca": Verdict.UNKNOWN_SIGNER,
    "unknown_document": Verdict.NOT_ISSUED,
    "revoked": Verdict.REVOKED,
}


def verdict(reason: str | None) -> Verdict:
    """The verdict for a report whose first reason is ``reason`` (None: genuine); an unknown reason is not genuine."""
    return _BY_REASON.get(reason, Verdict.MODIFIED)


def tone(value: Verdict) -> str:
    """Designsystemet's colour for the verdict's alert."""
    if value is Verdict.GENUINE:
        return "success"
    if value in (Verdict.UNKNOWN_SIGNER, Verdict.NOT_SIGNED, Verdict.UNREADABLE):
        return "warning"
    return "danger"


def prefers_html(accept: str | None) -> bool:
    """Whether an Accept header asks for a page rather than JSON: text/html named with a quality at least that of
    application/json. ``*/*`` alone (curl, httpx, most API clients) gets JSON, as the API has always answered."""
    html = json = 0.0
    for part in (accept or "")[:1000].split(",")[:30]:
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            html = max(html, quality)
        elif media == "application/json":
            json = max(json, quality)
    return html > 0 and html >= json
