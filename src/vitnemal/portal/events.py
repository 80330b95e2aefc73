"""The portal's audit events (recorded with :func:`vitnemal.audit.service.record_event`); the names themselves are
members of the one enum of audit events, :class:`vitnemal.audit.events.AuditAction`."""

from __future__ import annotations

from vitnemal.audit.events import AuditAction

FETCH = AuditAction.PORTAL_FETCH
SHARE_CREATED = AuditAction.PORTAL_SHARE_CREATED
SHARE_VIEWED = AuditAction.PORTAL_SHARE_VIEWED
SHARE_PDF = AuditAction.PORTAL_SHARE_PDF
SHARE_DIPLOMA_INCLUDED = AuditAction.PORTAL_SHARE_DIPLOMA_INCLUDED
SHARE_DIPLOMA = AuditAction.PORTAL_SHARE_DIPLOMA
SHARE_ENDED = AuditAction.PORTAL_SHARE_ENDED
SHARE_LOCKED = AuditAction.PORTAL_SHARE_LOCKED
SHARE_WRONG_CODE = AuditAction.PORTAL_SHARE_WRONG_CODE
SHARE_VERIFIED = AuditAction.PORTAL_SHARE_VERIFIED
SHARES_PURGED = AuditAction.PORTAL_SHARES_PURGED
