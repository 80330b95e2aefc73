"""Who signs diplomas, and whom a verifier trusts: the federation's CA and one signer per institution.

The demo federation has one local certificate authority under ``<home>/ca`` (made on first use, shared with the
school certificates). Each institution gets a document-signing certificate from it on first use, in
``<home>/ca/institutions/institution-<code>.pem`` (key beside it, mode 0600), whose subject names the institution:
``O`` and ``CN`` its name, ``OU`` "Institusjonsnummer <code>". A verifier trusts the federation CA, so a document
is accepted when its signer's chain leads there.

A real deployment signs with a certificate from a qualified issuer, on a key file (:attr:`SignerSpec.key_path`)
or on a token over PKCS#11 (:attr:`SignerSpec.pkcs11_lib`); :class:`SignerSpec` says which, and is small and
picklable so that each worker process can build its own signer from it (:func:`make_signer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vitnemal.config import Settings
from vitnemal.signing.ca import CA_CERT_FILE, LocalCertificateAuthority
from vitnemal.signing.forensics import institution_unit
from vitnemal.signing.pdf import KeyFileSigner, PadesSigner

FEDERATION_CA_NAME = "vitnemal føderasjons-CA (demo)"
SIGNING_REASON = "Vitnemål utstedt av {name}"


def ca_dir(settings: Settings) -> Path:
    """Return the directory of the federation's local CA (``<home>/ca``)."""
    return settings.home / "ca"


def federation_ca(settings: Settings) -> LocalCertificateAuthority:
    """Return the federation's local CA, creating it when there is none."""
    return LocalCertificateAuthority.create_or_load(ca_dir(settings), FEDERATION_CA_NAME)


def federation_ca_cert(settings: Settings) -> Path | None:
    """Return the path of the federation CA's certificate when it exists (a verifier's default trust), else None."""
    path = ca_dir(settings) / CA_CERT_FILE
    return path if path.exists() else None


def institution_name(settings: Settings, code: str) -> str:
    """Return the institution's name (bokmål) from the federation's registry.

    Raises LookupError with a hint when there is no registry or the code is not in it.
    """
    from vitnemal.institutions.registry import Registry

    if not settings.registry_path.exists():
        raise LookupError(
            f"no federation at {settings.home} ({settings.registry_path.name} is missing): "
            "set VITNEMAL_HOME or run `vitnemal federation generate`"
        )
    return Registry.load(settings.registry_path).get(code).name_nb


def institution_signer_files(settings: Settings, code: str, name: str | None = None) -> tuple[Path, Path, Path]:
    """Return ``(key, certificate, CA certificate)`` of the institution's document signer, issuing it on first use."""
    ca = federation_ca(settings)
    name = name or institution_name(settings, code)
    key, cert = ca.issue_signer(
        ca_dir(settings) / "institutions", name, name, unit=institution_unit(code), stem=f"institution-{code}"
    )
    return key, cert, ca.cert_path


@dataclass(frozen=True)
class SignerSpec:
    """How to build an institution's signer; picklable, so each worker process builds its own.

    Exactly one source: a key file (``key_path`` + ``cert_path``), a PKCS#11 token (``pkcs11_lib`` and the labels),
    or neither, meaning the federation's local CA (demo and tests). ``chain`` lists the issuing certificates to
    carry in each signature.
    """

    institution_code: str
    institution_name: str
    key_path: Path | None = None
    cert_path: Path | None = None
    chain: tuple[Path, ...] = ()
    pkcs11_lib: str | None = None
    pkcs11_token: str | None = None
    pkcs11_key_label: str | None = None
    pkcs11_pin: str | None = None

    @property
    def reason(self) -> str:
        return SIGNING_REASON.format(name=self.institution_name)


def local_signer_spec(settings: Settings, code: str, name: str | None = None) -> SignerSpec:
    """Return the spec of the institution's signer from the federation CA, issuing the certificate if needed."""
    name = name or institution_name(settings, code)
    key, cert, ca_cert = institution_signer_files(settings, code, name)
    return SignerSpec(code, name, key_path=key, cert_path=cert, chain=(ca_cert,))


def make_signer(spec: SignerSpec) -> PadesSigner:
    """Return a ready signer for ``spec`` (key loaded once; reuse it for every document of this process)."""
    if spec.pkcs11_lib is not None:
        from vitnemal.signing.pkcs11 import Pkcs11Signer

        if spec.cert_path is None or spec.pkcs11_key_label is None:
            raise ValueError("a PKCS#11 signer needs the certificate file and the key's label on the token")
        return Pkcs11Signer(
            spec.pkcs11_lib,
            token_label=spec.pkcs11_token,
            key_label=spec.pkcs11_key_label,
            pin=spec.pkcs11_pin,
            cert_path=spec.cert_path,
            chain=spec.chain,
            reason=spec.reason,
        )
    if spec.key_path is None or spec.cert_path is None:
        raise ValueError("a key-file signer needs both the key and the certificate file")
    return KeyFileSigner(spec.key_path, spec.cert_path, spec.chain, reason=spec.reason)
