"""A key on a PKCS#11 token (SoftHSM): the same certifying signature as with a key file, accepted by our check and by
poppler's pdfsig.

Needs the python-pkcs11 package (pyHanko's ``pkcs11`` extra) and SoftHSM (Debian package ``softhsm2``). Without
python-pkcs11 the test is skipped; with it, a missing SoftHSM skips locally but fails under CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.poppler import poppler_tool

from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.forensics import institution_unit
from vitnemal.signing.pdf import SigningError
from vitnemal.signing.verify import check_pdf

pytest.importorskip("pkcs11", reason="python-pkcs11 (pyhanko[pkcs11]) is not installed")

SOFTHSM_LIBS = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
PIN, SO_PIN, TOKEN, LABEL = "1234", "123456", "vitnemal-test", "dokumentsignering"


def softhsm() -> tuple[str, str]:
    lib = next((p for p in SOFTHSM_LIBS if Path(p).exists()), None)
    tool = shutil.which("softhsm2-util")
    if lib is None or tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("SoftHSM is missing; scripts/system-packages must install softhsm2")
        pytest.skip("SoftHSM (Debian package softhsm2) is not installed")
    return lib, tool


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, local_ca: LocalCertificateAuthority) -> Iterator[dict[str, str]]:
    """A fresh SoftHSM token holding a P-256 key issued a document-signing certificate by the test CA."""
    lib, tool = softhsm()
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    run = [tool, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN]
    subprocess.run(run, check=True, capture_output=True)
    name = "Universitetet i Oslo"
    key, cert = local_ca.issue_signer(home, name, name, unit=institution_unit("185"))
    subprocess.run([tool, "--import", str(key), "--token", TOKEN, "--label", LABEL, "--id", "01", "--pin", PIN],
                   check=True, capture_output=True)
    key.unlink()  # from now on the key exists on the token only
    yield {"lib": lib, "cert": str(cert)}
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def test_a_token_key_makes_the_same_certifying_signature(
    token: dict[str, str], local_ca: LocalCertificateAuthority, sample_pdf: bytes, write: Callable[[bytes], Path]
) -> None:
    from vitnemal.signing.pkcs11 import Pkcs11Signer

    signer = Pkcs11Signer(token["lib"], key_label=LABEL, cert_path=Path(token["cert"]), token_label=TOKEN, pin=PIN,
                          chain=[local_ca.cert_path], reason="Vitnemål")
    try:
        signed = [signer.sign(sample_pdf, contact_info=f"https://x.example/verify/{n:08}-0000-4000-8000-000000000000")
                  for n in range(2)]  # one session, several documents
    finally:
        signer.close()
    for pdf in signed:
        check = check_pdf(pdf, [local_ca.cert_path])
        assert check.genuine and check.certified and check.signer is not None
        assert check.signer.institution_code == "185"
    out = subprocess.run([poppler_tool("pdfsig"), str(write(signed[0]))], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out and "Total document signed" in out


def test_a_wrong_pin_or_label_is_a_clear_error(token: dict[str, str], local_ca: LocalCertificateAuthority) -> None:
    from vitnemal.signing.pkcs11 import Pkcs11Signer

    with pytest.raises(SigningError, match="PKCS#11"):
        Pkcs11Signer(token["lib"], key_label=LABEL, cert_path=Path(token["cert"]), token_label=TOKEN, pin="0000")
    with pytest.raises(SigningError, match="PKCS#11"):
        Pkcs11Signer(token["lib"], key_label="no-such-key", cert_path=Path(token["cert"]), token_label=TOKEN, pin=PIN)
