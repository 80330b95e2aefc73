"""The recipient's PDF of a share: PDF/A-3b with the shared results, the owner's name and birth date (never the
national id), the snapshot as embedded ELMO XML, a QR code and the verification URL on every page, signed by the
portal's own key.

Layout is typst (``share.typ``) with the diplomas' machinery: the same QR code builder, PDF standard and built-in
fonts. The portal's signing certificate comes from the federation CA (``<home>/ca/portal/``), made on first use.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from vitnemal.config import Settings
from vitnemal.diplomas.render import PDF_STANDARD, qr_svg
from vitnemal.diplomas.signers import federation_ca
from vitnemal.portal import rules
from vitnemal.portal.elmo import snapshot_to_elmo
from vitnemal.portal.texts import PDF, credits_text, day_text, moment_text, term_text
from vitnemal.signing.ca import IssuerKind, RegisteredSigner
from vitnemal.signing.pdf import KeyFileSigner, PdfSigner

TEMPLATE = Path(__file__).with_name("share.typ")
ATTACHMENT_NAME = "vitnemalsportalen-elmo.xml"
PORTAL_NAME = "Vitnemålsportalen"
SIGNING_REASON = "Resultater delt gjennom Vitnemålsportalen"
# typst's hyphenation knows no North Sami; the text is tagged as Sami in the view and laid out without it.
_TEXT_LANG = {"se": "nb"}


def verify_url(public_url: str, public_id: str) -> str:
    return f"{public_url.rstrip('/')}/verify/{public_id}"


def _row(result: Mapping[str, Any], lang: str, current: str, *, notes: Sequence[str] = ()) -> dict[str, Any]:
    labels = PDF[lang]
    notes = list(notes)
    if result.get("thesis_title"):
        notes.append(f"{labels['thesis']}: {result['thesis_title']}")
    then = result.get("institution_name_nb")
    if then and then != current:
        notes.append(labels["then_named"].format(name=then))
    name = result["name_en"] if lang == "en" and result.get("name_en") else result["name_nb"]
    return {"code": str(result["course_code"]), "name": str(name), "notes": notes,
            "term": term_text(int(result["year"]), str(result["season"]), lang),
            "credits": "" if rules.is_language_test(result) else credits_text(str(result["credits"]), lang),
            "grade": str(result["grade"])}


def _test_rows(results: Sequence[Mapping[str, Any]], lang: str, current: str) -> list[dict[str, Any]]:
    """Each language-test part with its best and (when another sitting) its latest result."""
    labels = PDF[lang]
    rows = []
    for part in rules.language_test_parts(results):
        for r in part.shown:
            which = [labels[k] for k, x in (("best", part.best), ("latest", part.latest)) if x["key"] == r["key"]]
            rows.append(_row(r, lang, current, notes=[" · ".join(which)]))
    return rows


def share_view(snapshot: Sequence[Mapping[str, Any]], *, lang: str, name: str, birth_date: date | None,
               created_at: datetime, expires_at: datetime, public_id: str, url: str) -> dict[str, Any]:
    """Everything the template prints, as strings; the template only arranges them."""
    labels = PDF[lang]
    institutions = []
    for inst in snapshot:
        quals, others = rules.split_courses(inst)
        fetched = datetime.fromisoformat(inst["fetched_at"]) if inst.get("fetched_at") else None
        current = str(inst["name"])
        institutions.append({
            "name": current,
            "fetched": f"{labels['fetched']} {moment_text(fetched, lang)}" if fetched else "",
            "qualifications": [{
                "name": str(q["name_en"] if lang == "en" and q.get("name_en") else q["name_nb"]),
                "facts": " · ".join(x for x in (
                    f"{labels['awarded']} {day_text(date.fromisoformat(str(q['award_date'])), lang)}",
                    f"{credits_text(str(q['credits']), lang)} {labels['credits'].lower()}",
                    labels["then_named"].format(name=q["institution_name_nb"])
                    if q.get("institution_name_nb") and q["institution_name_nb"] != current else "") if x),
                "rows": [_row(r, lang, current) for r in q["course_rows"]],
            } for q in quals],
            "others": [_row(r, lang, current) for r in others],
            "tests": _test_rows(inst.get("results", ()), lang, current),
        })
    last_day = day_text(expires_at - timedelta(seconds=1), lang)
    facts = [[labels["name"], name or "—"]]
    if birth_date is not None:
        facts.append([labels["born"], day_text(birth_date, lang)])
    facts += [[labels["shared"], moment_text(created_at, lang)], [labels["valid"], last_day]]
    return {
        "lang": lang, "text_lang": _TEXT_LANG.get(lang, lang), "title": labels["title"], "labels": labels,
        "facts": facts, "about": labels["about"], "institutions": institutions,
        "verify": {"text": labels["verify"].format(url=url), "document_id": labels["document_id"].format(id=public_id)},
        "attachment": {"name": ATTACHMENT_NAME, "description": labels["elmo"]},
    }


class ShareRenderer:
    """Renders shares with one typst compiler (not thread-safe: one per thread, see :func:`render_share`)."""

    def __init__(self, template: Path = TEMPLATE) -> None:
        import typst

        self._compiler = typst.Compiler(str(template), ignore_system_fonts=True)

    def render(self, snapshot: Sequence[Mapping[str, Any]], *, lang: str, name: str, birth_date: date | None,
               created_at: datetime, expires_at: datetime, public_id: str, url: str) -> bytes:
        view = share_view(snapshot, lang=lang, name=name, birth_date=birth_date, created_at=created_at,
                          expires_at=expires_at, public_id=public_id, url=url)
        elmo = snapshot_to_elmo(snapshot, name=name, birth_date=birth_date, lang=lang, generated_at=created_at)
        inputs = {"data": json.dumps(view, ensure_ascii=False), "qr": qr_svg(url), "elmo": elmo.decode("utf-8")}
        pdf = self._compiler.compile(format="pdf", sys_inputs=inputs, pdf_standards=PDF_STANDARD,
                                     timestamp=created_at.replace(microsecond=0))
        assert isinstance(pdf, bytes)
        return pdf


def portal_signer_files(settings: Settings) -> tuple[Path, Path, Path]:
    """(key, certificate, CA certificate) of the portal's document signer, issued by the federation CA."""
    ca = federation_ca(settings)
    key, cert = ca.issue_for(ca.directory / "portal", RegisteredSigner(IssuerKind.PORTAL, "portal", PORTAL_NAME))
    return key, cert, ca.cert_path


def portal_signer(settings: Settings) -> KeyFileSigner:
    key, cert, ca_cert = portal_signer_files(settings)
    return KeyFileSigner(key, cert, (ca_cert,), reason=SIGNING_REASON, location="Norge")


class SharePdfMaker:
    """Renders and signs a share's PDF.

    Neither a typst compiler nor a signer is thread-safe, and making one costs about half a second (fonts, the
    template, the key): they are kept in a pool, so a process makes as many as it ever renders at once, not one per
    thread of the server's pool (each a slow first share). ``warm()`` makes the first one ahead of need.
    """

    def __init__(self, settings: Settings, signer: PdfSigner | None = None) -> None:
        self.settings = settings
        self._signer = signer
        self._idle: list[tuple[ShareRenderer, PdfSigner]] = []
        self._warming = False
        self._changed = threading.Condition()

    def _take(self) -> tuple[ShareRenderer, PdfSigner]:
        with self._changed:
            while not self._idle and self._warming:  # the one warm() is making comes sooner than a new one
                self._changed.wait()
            if self._idle:
                return self._idle.pop()
        return ShareRenderer(), self._signer or portal_signer(self.settings)

    def _give_back(self, parts: tuple[ShareRenderer, PdfSigner]) -> None:
        with self._changed:
            self._idle.append(parts)
            self._changed.notify_all()

    def warm(self) -> None:
        """Make the first renderer and signer now, in a thread of its own, unless the pool has one already."""
        with self._changed:
            if self._idle or self._warming:
                return
            self._warming = True

        def build() -> None:
            try:
                parts = (ShareRenderer(), self._signer or portal_signer(self.settings))
                with self._changed:
                    self._idle.append(parts)
            finally:
                with self._changed:
                    self._warming = False
                    self._changed.notify_all()

        threading.Thread(target=build, name="share-pdf-warm", daemon=True).start()

    def make(self, snapshot: Sequence[Mapping[str, Any]], *, lang: str, name: str, birth_date: date | None,
             created_at: datetime, expires_at: datetime, public_id: str) -> bytes:
        parts = self._take()
        try:
            renderer, signer = parts
            url = verify_url(self.settings.public_url, public_id)
            pdf = renderer.render(snapshot, lang=lang, name=name, birth_date=birth_date, created_at=created_at,
                                  expires_at=expires_at, public_id=public_id, url=url)
            return signer.sign(pdf, contact_info=url)
        finally:
            self._give_back(parts)
