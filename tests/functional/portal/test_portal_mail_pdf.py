"""The mails through a real SMTP server (aiosmtpd) into the demo's outbox; the recipient's PDF checked by the
project's verifier, its ELMO by the schema, its pages looked at for the national id."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from tests.functional.portal.conftest import HISF, OWNER, result

from vitnemal.config import Settings
from vitnemal.interop.elmo import validate_elmo
from vitnemal.portal.mail import MailError, SmtpMailer, share_mails
from vitnemal.portal.outbox import CatchingSmtpServer, read_outbox
from vitnemal.portal.pdf import SharePdfMaker, portal_signer_files
from vitnemal.portal.rules import end_of_day
from vitnemal.signing.verify import check_pdf

LINK = "http://127.0.0.1:8765/s/x9GdIwpD2fQxucBZQ7S7v0gna3JvqjVBM7ubOw1-_pk"
EXPIRES = end_of_day(date(2026, 12, 15))  # "valid until 15.12.2026"


@pytest.mark.parametrize("lang,word", [("nb", "Tilgangskoden"), ("nn", "Tilgangskoden"), ("en", "access code"),
                                       ("se", "Beassankoda")])
def test_both_mails_arrive_through_smtp_and_show_in_the_outbox(tmp_path: Path, lang: str, word: str) -> None:
    with CatchingSmtpServer(tmp_path / "outbox") as server:
        mailer = SmtpMailer(server.url)
        mailer.send(*share_mails(lang=lang, owner_name="Kari Nordmann", recipient="hr@example.no",
                                 link=LINK, code="ACDE-FGHJ-KMNP", share_id="id-1",
                                 expires_at=EXPIRES, message=None))  # both over one connection
    link_mail, code_mail = read_outbox(tmp_path / "outbox")
    assert link_mail["to"] == code_mail["to"] == "hr@example.no"
    assert link_mail["link"] == LINK and link_mail["code"] is None  # a long link is folded in the header
    assert LINK in link_mail["text"] and "ACDE-FGHJ-KMNP" not in link_mail["text"]
    assert code_mail["code"] == "ACDE-FGHJ-KMNP" and code_mail["link"] is None
    assert word in code_mail["text"] and "Kari Nordmann" in link_mail["subject"]
    assert "15.12.2026" in link_mail["text"] or "15 December 2026" in link_mail["text"]


def test_a_mail_server_that_is_down_is_a_clear_error(tmp_path: Path) -> None:
    from vitnemal.devtools.postgres import free_port

    mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", timeout_s=2)
    link_mail, _ = share_mails(lang="nb", owner_name="K", recipient="a@b.no", link="l", code="c", share_id="i",
                               expires_at=EXPIRES, message=None)
    with pytest.raises(MailError, match="did not take the mail"):
        mailer.send(link_mail)
    with pytest.raises(ValueError, match="VITNEMAL_SMTP_URL"):
        SmtpMailer("http://example.no")


def _elmo_from(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    data: bytes = spec["/EF"]["/F"].get_object().data
    return data


def test_the_pdf_is_signed_by_the_portal_carries_elmo_and_no_national_id(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, public_url="https://portal.example")
    public_id = str(uuid.uuid4())
    hostile = {**HISF.__dict__}
    snapshot = [{"code": "216", "name": "Høgskulen i Sogn og Fjordane", "fetched_at": datetime.now(UTC).isoformat(),
                 "qualifications": hostile["qualifications"],
                 "results": [*hostile["results"], result("XSS", name="<script>alert(1)</script>")]}]
    pdf = SharePdfMaker(settings).make(snapshot, lang="nb", name=OWNER.name, birth_date=OWNER.birth_date,
                                       created_at=datetime.now(UTC), expires_at=EXPIRES + timedelta(days=1),
                                       public_id=public_id)
    check = check_pdf(pdf, [portal_signer_files(settings)[2]])
    assert check.genuine, check.message
    assert check.signer is not None and check.signer.organization == "Vitnemålsportalen"
    assert check.issuer_kind == "portal"
    assert check.document_id == public_id
    changed = bytearray(pdf)
    changed[len(pdf) // 3] ^= 0x01
    assert not check_pdf(bytes(changed), [portal_signer_files(settings)[2]]).genuine
    elmo = _elmo_from(pdf)
    validate_elmo(elmo)
    assert b"<bday>1995-03-01</bday>" in elmo and OWNER.national_id.encode() not in elmo
    assert b"nationalIdentifier" not in elmo
    path = tmp_path / "share.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert OWNER.national_id not in text and "1.3.1995" in text and "Kari Nordmann" in text
    assert "RES-100" in text and "<script>alert(1)</script>" in text  # typst sets it as text, never as markup
    assert f"verify/{public_id}" in text and re.search(r"Side 1 av \d", text)
    pdfinfo = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"PDF version:\s+1\.7", pdfinfo)


def test_the_pdf_maker_reuses_its_renderer_across_threads_and_warm_makes_it_ahead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each renderer costs about half a second to make: a server thread's first share must not make its own.
    import threading

    from vitnemal.portal import pdf as pdf_module

    made: list[object] = []

    class CountingRenderer:
        def __init__(self) -> None:
            made.append(self)

        def render(self, snapshot: object, **kw: object) -> bytes:
            return b"%PDF-1.7 " + str(kw["public_id"]).encode()

    class Signer:
        def sign(self, pdf: bytes, *, contact_info: str | None = None) -> bytes:
            return pdf + b" signed"

    monkeypatch.setattr(pdf_module, "ShareRenderer", CountingRenderer)
    maker = pdf_module.SharePdfMaker(Settings(home=tmp_path, public_url="https://portal.example"), signer=Signer())
    maker.warm()
    now = datetime.now(UTC)

    def share(n: int) -> None:
        assert maker.make([], lang="nb", name="K", birth_date=None, created_at=now, expires_at=now,
                          public_id=f"id-{n}") == f"%PDF-1.7 id-{n} signed".encode()

    for n in range(4):  # one after another, each from a thread of its own
        thread = threading.Thread(target=share, args=(n,))
        thread.start()
        thread.join()
    assert len(made) == 1
