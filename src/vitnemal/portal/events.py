"""The names of the portal's audit events, in one place (recorded with :func:`vitnemal.audit.service.record_event`)."""

from __future__ import annotations

FETCH = "portal.fetch"
SHARE_CREATED = "portal.share.created"
SHARE_VIEWED = "portal.share.viewed"
SHARE_PDF = "portal.share.pdf_downloaded"
SHARE_ENDED = "portal.share.ended"
SHARE_LOCKED = "portal.share.locked"
SHARE_WRONG_CODE = "portal.share.wrong_code"
SHARE_VERIFIED = "portal.share.verified"
SHARES_PURGED = "portal.share.purged"
