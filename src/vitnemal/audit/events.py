"""The names of every audit event, in one enum: what the services record with :func:`audit.service.record_event`.

The values are what the audit table holds (and what `GET …/people/{id}/audit` shows), so they never change.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # Results exchange (the requesting institution's case workers)
    PLACE_ORDER = "place_order"
    VIEW_ORDER = "view_order"
    LIST_ORDERS = "list_orders"
    VIEW_EXTERNAL_RECORDS = "view_external_records"
    ELMO_IMPORTED = "elmo.imported"  # a case worker imported an ELMO file into a person's external-study records
    VIEW_AUDIT_LOG = "view_audit_log"
    # Recognition cases
    LIST_RECOGNITION_CASES = "list_recognition_cases"
    VIEW_RECOGNITION_CASE = "view_recognition_case"
    SEARCH_PEOPLE = "search_people"  # a case worker's person search: every person shown
    # Diplomas (the diploma officer's pages)
    DIPLOMA_PREVIEWED = "diploma.previewed"
    DIPLOMA_REVOKED = "diploma.revoked"
    # The portal (Vitnemålsportalen)
    PORTAL_FETCH = "portal.fetch"
    PORTAL_SHARE_CREATED = "portal.share.created"
    PORTAL_SHARE_VIEWED = "portal.share.viewed"
    PORTAL_SHARE_PDF = "portal.share.pdf_downloaded"
    PORTAL_SHARE_DIPLOMA_INCLUDED = "portal.share.diploma_included"  # an institution-signed diploma frozen in
    PORTAL_SHARE_DIPLOMA = "portal.share.diploma_downloaded"
    PORTAL_SHARE_ENDED = "portal.share.ended"
    PORTAL_SHARE_LOCKED = "portal.share.locked"
    PORTAL_SHARE_WRONG_CODE = "portal.share.wrong_code"
    PORTAL_SHARE_VERIFIED = "portal.share.verified"
    PORTAL_SHARES_PURGED = "portal.share.purged"
    # EMREX: the client registry (the operator) and transfers to a client (the owner's confirmation)
    EMREX_CLIENT_ADDED = "emrex.client_added"
    EMREX_CLIENT_REMOVED = "emrex.client_removed"
    EMREX_REQUEST_REFUSED = "emrex.request_refused"
    EMREX_TRANSFER = "emrex.transfer"
    EMREX_TRANSFERS_PURGED = "emrex.transfers_purged"  # what was sent, deleted 12 months after (as shares)
    EMREX_ANSWERED = "emrex.answered"  # a hand-back without results (no results, cancelled, error)
    EMREX2_ANSWERED_AGAIN = "emrex2.answered_again"  # the same consent's document handed to its client again
    EMREX2_CONSENT_ENDED = "emrex2.consent_ended"  # the owner ended a consent (its token stops at once)
    EMREX2_PLATFORM_READ = "emrex2.platform_read"  # a platform read its own transfers or consents (API)
    EMREX2_CONSENTS_PURGED = "emrex2.consents_purged"  # consent records' copies deleted a year after
    EMREX2_CONSENT = "emrex2.consent"  # an applicant consented to an EMREX 2 client fetching chosen results
    # The federation's operator (registry changes and connection tests; detail holds the institution and what changed)
    FEDERATION_REGISTERED = "federation.registered"
    FEDERATION_KEY_ROTATED = "federation.key_rotated"
    FEDERATION_KEY_RETIRED = "federation.key_retired"
    FEDERATION_TAKEN_OUT = "federation.taken_out"
    FEDERATION_CONNECTION_TESTED = "federation.connection_tested"
    # At the requesting institution: the connection test asked a node for this test person's results
    CONNECTION_TEST_FETCHED = "federation.connection_test_fetched"
    # Staff and their roles (granted and revoked by an administrator, the CLI or the demo)
    STAFF_ROLE_GRANTED = "staff.role_granted"
    STAFF_ROLE_REVOKED = "staff.role_revoked"
    STAFF_LOGGED_IN = "staff.logged_in"
    STAFF_LOGIN_FAILED = "staff.login_failed"
    # The institution's settings and the student's consent (the institution's pages)
    CONSENT_ANSWERED = "consent.answered"
    CONSENT_TYPE_CHANGED = "settings.consent_type_changed"
    EXCHANGE_SETTINGS_CHANGED = "settings.exchange_changed"
    VIEW_DISCLOSURE_LOG = "view_disclosure_log"
    EXPORT_DISCLOSURE_LOG = "export_disclosure_log"
    # The person register (bildet Person, Student and Akseptanse for person on the institution's pages)
    PERSON_REGISTERED = "person.registered"
    PERSON_CHANGED = "person.changed"
    PERSON_EARLIER_ID_ADDED = "person.earlier_id_added"
    PERSON_VIEWED = "person.viewed"
    STUDENT_REGISTERED = "person.student_registered"
    PROGRAMME_ADMITTED = "person.programme_admitted"
    # Admission rounds (Samordna opptak, local admission): the round, a look at an applicant's results, an export
    ADMISSION_ROUND_STARTED = "admission.round_started"
    ADMISSION_ROUND_CHANGED = "admission.round_changed"  # paused, resumed, cancelled (detail says which)
    VIEW_ADMISSION_APPLICANT = "admission.applicant_viewed"
    EXPORT_ADMISSION_ROUND = "admission.round_exported"
    # Exchange nodes
    NODE_UNUSUAL_VOLUME = "node_unusual_request_volume"  # a requester passed the day's unusual volume
