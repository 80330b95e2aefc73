"""Issued diploma sets on the owner's login (issue 9): which ones each released qualification has, listed with the
owner's results, and one of them whole, its signed PDF, when the owner shares it through the portal.

Only a current document is named or handed out: the newest in its language, not replaced, not revoked. The PDF is
read from where the issuer stored it and sent only when its bytes still hash to the record's SHA-256, so the
answer (signed by the node) vouches for exactly the bytes the institution issued.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.diplomas.models import IssuedDocument
from vitnemal.node import matching
from vitnemal.node.protocol import NodeAnswer, ResultsRequest
from vitnemal.node.wire import MAX_DIPLOMA_BYTES, MAX_DIPLOMAS, DiplomaDocument, DiplomaRef
from vitnemal.node.wire import AnswerStatus as Status
from vitnemal.records.models import Qualification

KIND = "diploma_set"  # vitnemal.diplomas.issue.KIND (not imported: that module loads the issuing machinery)
LANGS = ("nb", "nn", "en")


def _current(session: Session, person_id: int) -> Sequence[IssuedDocument]:
    return session.scalars(
        select(IssuedDocument).where(IssuedDocument.person_id == person_id, IssuedDocument.kind == KIND,
                                     IssuedDocument.replaced_by_id.is_(None), IssuedDocument.revoked_at.is_(None),
                                     IssuedDocument.lang.in_(LANGS))
        .order_by(IssuedDocument.id.desc())
    ).all()


def _ref(row: IssuedDocument) -> DiplomaRef:
    return DiplomaRef.model_construct(document_id=row.document_id, lang=row.lang, sha256=row.sha256,
                                      size_bytes=row.size_bytes, issued_at=row.issued_at)


def current_diplomas(session: Session, person_id: int) -> dict[int, list[DiplomaRef]]:
    """The person's current diploma sets by qualification row id: at most one per language, newest first."""
    out: dict[int, list[DiplomaRef]] = {}
    for row in _current(session, person_id):
        if row.qualification_id is None or row.size_bytes > MAX_DIPLOMA_BYTES:
            continue
        refs = out.setdefault(row.qualification_id, [])
        if len(refs) < MAX_DIPLOMAS and all(r.lang != row.lang for r in refs):
            refs.append(_ref(row))
    for refs in out.values():
        refs.sort(key=lambda r: LANGS.index(r.lang))
    return out


def diploma_answer(session: Session, request: ResultsRequest, base: NodeAnswer,
                   documents_root: Path | None) -> tuple[NodeAnswer, matching.Match | None]:
    """The signed PDF of the diploma set ``request.diploma`` names, if it is a current one of this person."""
    person = matching.find_subject(session, request.subject)
    if isinstance(person, matching.NoMatch):
        return replace(base, status=Status.NO_RESULTS, message="No results are registered for this person."), None
    row = next((r for r in _current(session, person.person_id) if r.document_id == request.diploma), None)
    missing = replace(base, status=Status.NO_RESULTS, matched_id=person.matched_id,
                      message="No current diploma set with this id is issued to this person here: it may have been "
                      "replaced or revoked. Fetch the results again to see the current one.")
    if row is None or row.storage_path is None or documents_root is None or row.size_bytes > MAX_DIPLOMA_BYTES:
        return missing, person
    path = documents_root / row.storage_path
    try:
        with path.open("rb") as fh:
            pdf = fh.read(MAX_DIPLOMA_BYTES + 1)
    except OSError:
        return missing, person
    if len(pdf) > MAX_DIPLOMA_BYTES or hashlib.sha256(pdf).hexdigest() != row.sha256:
        # The stored file is not the one recorded: never vouch for it.
        return missing, person
    code = session.scalar(select(Qualification.code).where(Qualification.id == row.qualification_id)) or ""
    document = DiplomaDocument.model_construct(
        **dict(_ref(row)), qualification_code=code, pdf=base64.b64encode(pdf).decode("ascii"))
    return replace(base, status=Status.OK, matched_id=person.matched_id, diploma=document), person
