"""The EMREX 1 hand-back: what the owner's answer to a request becomes (the return code and, with NCP_OK, the
signed PDF and the signed ELMO), the transfer recorded, and the form the browser POSTs to the client.

:func:`hand_over` takes a session and never commits; the documents are made before anything is written, so a
failure to make them leaves the request open (the caller then answers NCP_ERROR in a transaction of its own).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from vitnemal.config import Settings
from vitnemal.emrex import requests, rules, transfers
from vitnemal.emrex.models import EmrexRequest
from vitnemal.emrex.rules import Handback, ReturnCode
from vitnemal.portal import rules as portal_rules

# The transferred PDF says "valid until" a year on, as the longest share does; /verify reads the same date.
TRANSFER_VALIDITY = timedelta(days=portal_rules.MAX_VALIDITY_DAYS)
MESSAGES = {
    ReturnCode.OK: "The owner chose these results and confirmed the transfer.",
    ReturnCode.NO_RESULTS: "The owner has no passed results to send.",
    ReturnCode.CANCEL: "The owner cancelled.",
}


class PdfMaker(Protocol):
    def make(self, snapshot: Sequence[dict[str, Any]], *, lang: str, name: str, birth_date: Any,
             created_at: datetime, expires_at: datetime, public_id: str) -> bytes: ...


@dataclass(frozen=True)
class Documents:
    public_id: str
    pdf: bytes
    elmo: bytes  # signed


class TransferDocuments:
    """The signed PDF of the chosen results (the share's, with its own verification id) and the ELMO with that
    PDF attached, signed by the portal's document signer (the key that signs the PDF)."""

    def __init__(self, settings: Settings, pdf_maker: PdfMaker) -> None:
        self.settings = settings
        self.pdf_maker = pdf_maker

    def make(self, snapshot: Sequence[dict[str, Any]], *, owner: transfers.TransferOwner, lang: str,
             national_id: bool, created_at: datetime) -> Documents:
        from vitnemal.interop.elmo_sign import sign_elmo_files
        from vitnemal.portal.elmo import snapshot_to_elmo
        from vitnemal.portal.pdf import portal_signer_files

        public_id = str(uuid.uuid4())
        pdf = self.pdf_maker.make(snapshot, lang=lang, name=owner.name, birth_date=owner.birth_date,
                                  created_at=created_at, expires_at=created_at + TRANSFER_VALIDITY,
                                  public_id=public_id)
        xml = snapshot_to_elmo(snapshot, name=owner.name, birth_date=owner.birth_date, lang=lang,
                               generated_at=created_at, national_id=owner.national_id if national_id else None,
                               pdf=pdf)
        key, cert, ca_cert = portal_signer_files(self.settings)
        return Documents(public_id, pdf, sign_elmo_files(xml, key, cert, (ca_cert,)))


def outcome(institutions: Sequence[Mapping[str, Any]], unreachable: Sequence[str], selection: portal_rules.Selection,
            *, send: bool) -> tuple[ReturnCode, list[dict[str, Any]], str]:
    """(return code, what is sent, the return message) for the owner's answer; a pure rule.

    ``institutions`` are the fetched results, ``unreachable`` the names of institutions that did not answer.
    Nothing chosen although there are results is refused (the owner must choose or cancel); no results at all is
    NCP_NO_RESULTS, unless an institution could not be asked: then nobody knows, and it is NCP_ERROR.
    """
    if not send:
        return ReturnCode.CANCEL, [], MESSAGES[ReturnCode.CANCEL]
    if not institutions:
        if unreachable:
            return ReturnCode.ERROR, [], ("The owner's results could not be fetched from: " + ", ".join(unreachable)
                                          + ". Ask the owner to try again later.")
        return ReturnCode.NO_RESULTS, [], MESSAGES[ReturnCode.NO_RESULTS]
    chosen = [] if selection.empty else portal_rules.select_snapshot(institutions, selection)
    if not chosen:
        raise rules.EmrexRefused("nothing chosen")
    return ReturnCode.OK, chosen, MESSAGES[ReturnCode.OK]


def hand_over(session: Session, request: EmrexRequest, *, code: ReturnCode, message: str, now: datetime,
              owner: transfers.TransferOwner, lang: str, snapshot: Sequence[dict[str, Any]] = (),
              documents: Documents | None = None) -> Handback:
    """Answer the request once: with NCP_OK record the transfer (audited) of ``documents``; the form to POST."""
    client = requests.client_of(request)
    transfer_id = None
    if code is ReturnCode.OK:
        assert documents is not None
        transfers.record_transfer(session, owner=owner, client_id=client.client_id, public_id=documents.public_id,
                                  snapshot=snapshot, pdf=documents.pdf, elmo=documents.elmo, protocol="emrex1",
                                  data_format="elmo", language=lang, created_at=now,
                                  expires_at=now + TRANSFER_VALIDITY)
        transfer_id = documents.public_id
    requests.answer(session, request, code, now=now, message=message, transfer_id=transfer_id)
    return rules.handback(request.return_url, request.session_id, code, message,
                          documents.elmo if code is ReturnCode.OK and documents else None)
