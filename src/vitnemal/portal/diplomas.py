"""The institution-signed diploma shared with a qualification (issue 9), frozen into the share at share time.

The owner's fetch lists, per qualification, the diploma sets the institution issued for it and still holds as
current (their ids, languages and SHA-256, in the node's signed answer). Ticking "also share the diploma" asks that
institution's node, on the owner's login, for each of those documents whole; a document is kept with the share only
when its bytes hash to what the fetch's signed answer said and the node's signed answer says again, and its
signature checks against the federation's CA as that institution's. Why frozen rather than fetched at each
download: docs/portal.md ("Institution-signed diplomas").

:func:`wanted_diplomas` is a pure rule, :func:`fetch_all` asks the nodes (async), :func:`check_all` checks the
signatures (CPU: run it in a thread, never on the event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vitnemal.portal.rules import N_, ShareRefused
from vitnemal.portal.source import DiplomaNotHanded, HandedDiploma, Owner, ResultsSource

MAX_SHARED_DIPLOMAS = 6  # documents per share: a few qualifications, each in up to three languages


@dataclass(frozen=True)
class WantedDiploma:
    """One issued diploma set the owner chose to share, as their fetch named it."""

    institution: str
    institution_name: str
    qualification_key: str
    document_id: str
    lang: str
    sha256: str


@dataclass(frozen=True)
class FrozenDiploma:
    wanted: WantedDiploma
    pdf: bytes


def wanted_diplomas(institutions: Sequence[Mapping[str, Any]],
                    chosen: frozenset[tuple[str, str]]) -> list[WantedDiploma]:
    """Every current diploma set of the chosen qualifications (``(institution, qualification key)``), as fetched.

    A choice whose qualification has no diploma set among the fetched results is refused, so a forged form cannot
    make the portal ask for a document the owner was never told of."""
    wanted: list[WantedDiploma] = []
    found: set[tuple[str, str]] = set()
    for inst in institutions:
        for q in inst.get("qualifications", ()):
            if (inst["code"], q["key"]) not in chosen:
                continue
            refs = [d for d in q.get("diplomas", ()) if isinstance(d, Mapping)]
            if refs:
                found.add((inst["code"], q["key"]))
            wanted += [WantedDiploma(str(inst["code"]), str(inst["name"]), str(q["key"]), str(d["document_id"]),
                                     str(d["lang"]), str(d["sha256"])) for d in refs]
    missing = sorted(chosen - found)
    if missing:
        raise ShareRefused(N_("No diploma issued by the institution was fetched for %(names)s. Fetch your results "
                              "again and choose anew."), names=", ".join(f"{c}:{k}" for c, k in missing[:5]))
    if len(wanted) > MAX_SHARED_DIPLOMAS:
        raise ShareRefused(N_("At most %(count)s diplomas can be shared at once."), count=MAX_SHARED_DIPLOMAS)
    return wanted


async def fetch_all(source: ResultsSource, owner: Owner, wanted: Sequence[WantedDiploma]) -> list[HandedDiploma]:
    """Ask each institution for its documents, all at once; raise ShareRefused naming the first that failed."""
    answers = await asyncio.gather(*(source.fetch_diploma(owner, w.institution, w.document_id) for w in wanted),
                                   return_exceptions=True)
    for w, answer in zip(wanted, answers, strict=True):
        if isinstance(answer, DiplomaNotHanded):
            raise ShareRefused(N_("%(institution)s did not hand out the diploma just now (%(reason)s), so nothing was "
                                  "shared. Try again, or share without the diploma."),
                               institution=w.institution_name, reason=str(answer)[:200])
        if isinstance(answer, BaseException):
            raise answer
    return [a for a in answers if isinstance(a, HandedDiploma)]


def check_all(wanted: Sequence[WantedDiploma], handed: Sequence[HandedDiploma],
              trust_roots: Sequence[Path]) -> list[FrozenDiploma]:
    """Keep each handed-out document only when it is the one the fetch named (same SHA-256) and its signature
    checks against ``trust_roots`` as its institution's; raise ShareRefused otherwise."""
    from vitnemal.signing.verify import check_pdf

    frozen = []
    for w, doc in zip(wanted, handed, strict=True):
        if doc.sha256 != w.sha256 or doc.document_id != w.document_id:
            raise ShareRefused(N_("The diploma from %(institution)s has changed since you fetched your results (it was "
                                  "issued again or revoked). Fetch your results again and choose anew."),
                               institution=w.institution_name)
        check = check_pdf(doc.pdf, list(trust_roots))
        signer = check.signer.institution_code if check.signer is not None else None
        if not check.genuine or signer != w.institution or check.sha256 != w.sha256:
            raise ShareRefused(N_("The diploma from %(institution)s could not be confirmed as signed by that "
                                  "institution, so nothing was shared."), institution=w.institution_name)
        frozen.append(FrozenDiploma(w, doc.pdf))
    return frozen
