"""Fixtures for the signing tests: a throwaway local CA, a signer issued by it, a small PDF, poppler's tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.pdf import KeyFileSigner


@pytest.fixture(scope="module")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCertificateAuthority:
    return LocalCertificateAuthority.create_or_load(tmp_path_factory.mktemp("ca"), "Test-CA")


@pytest.fixture(scope="module")
def signer(local_ca: LocalCertificateAuthority) -> KeyFileSigner:
    key, cert = local_ca.issue_signer(local_ca.directory / "signers", "Testskolen", "Testkommune")
    return KeyFileSigner(key, cert, [local_ca.cert_path], reason="Vitnemål", location="Bergen")


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    import typst

    source = '#set page(paper: "a5")\n= Vitnemål\nKari Nordmann: matematikk 5 fem\n'.encode()
    return typst.compile(source, format="pdf", pdf_standards="a-3b")


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(pdf: bytes, name: str = "doc.pdf") -> Path:
        path = tmp_path / name
        path.write_bytes(pdf)
        return path

    return write
