"""A PAdES signer whose private key stays on a PKCS#11 token (smart card, HSM, SoftHSM for tests).

It implements the same :class:`~vitnemal.signing.pdf.PdfSigner` protocol as the key-file signer and makes the
same certifying signature; only the ECDSA (or RSA) operation happens on the token. The certificate is read from a
PEM file (the token may hold it too, but a file is what every HSM setup has) so the signature space can be
reserved from its size. One session is opened per signer; create one signer per process. ECDSA keys use the raw
mechanism by default (the digest is computed here, the token signs it): SoftHSM and many HSMs offer CKM_ECDSA
but not CKM_ECDSA_SHA256.

Needs the ``python-pkcs11`` package (pyHanko's ``pkcs11`` extra) and the token's PKCS#11 module, e.g. SoftHSM's
``/usr/lib/softhsm/libsofthsm2.so`` (Debian package ``softhsm2``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vitnemal.signing.pdf import DEFAULT_FIELD_NAME, PadesSigner, SigningError, cached_attributes_signer, load_chain


def _asn1(certificate: x509.Certificate) -> Any:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _find_private_key(session: Any, label: str) -> Any:
    from pkcs11 import ObjectClass

    return session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)


class Pkcs11Signer(PadesSigner):
    """A certifying PAdES signer with the key on a PKCS#11 token, found by the key's label."""

    def __init__(
        self,
        lib_path: str,
        *,
        key_label: str,
        cert_path: Path,
        token_label: str | None = None,
        pin: str | None = None,
        chain: Sequence[Path] = (),
        field_name: str = DEFAULT_FIELD_NAME,
        reason: str | None = None,
        location: str | None = None,
        certify: bool = True,
        raw_mechanism: bool = True,
    ) -> None:
        try:
            from pyhanko.config.pkcs11 import TokenCriteria
            from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise SigningError(
                f"PKCS#11 signing needs the python-pkcs11 package (pip install 'pyhanko[pkcs11]'): {exc}"
            ) from exc
        try:
            certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
            issuers = load_chain(chain)
        except (OSError, ValueError) as exc:
            raise SigningError(f"cannot read the certificate {cert_path} or its chain: {exc}") from exc
        session = None
        try:
            criteria = TokenCriteria(label=token_label) if token_label else None
            session = self._session = open_pkcs11_session(lib_path, token_criteria=criteria, user_pin=pin)
            _find_private_key(session, key_label)  # fail here, not at the first document
            signer = cached_attributes_signer(PKCS11Signer)(
                self._session,
                key_label=key_label,
                signing_cert=_asn1(certificate),
                ca_chain=[_asn1(c) for c in issuers],
                other_certs_to_pull=(),
                use_raw_mechanism=raw_mechanism,
            )
        except Exception as exc:  # python-pkcs11 raises its own exception tree
            if session is not None:
                session.close()
            raise SigningError(
                f"cannot open the key {key_label!r} on the PKCS#11 token ({lib_path}): {type(exc).__name__} {exc}"
            ) from exc
        super().__init__(
            signer, certificate, issuers, field_name=field_name, reason=reason, location=location, certify=certify
        )

    def sign(self, pdf: bytes, *, contact_info: str | None = None) -> bytes:
        """Return ``pdf`` signed with the token's key; a token error becomes :class:`SigningError`."""
        try:
            return super().sign(pdf, contact_info=contact_info)
        except SigningError:
            raise
        except Exception as exc:  # python-pkcs11 raises its own exception tree
            raise SigningError(f"the PKCS#11 token could not sign: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Close the token session (also closed when the process ends)."""
        self._session.close()
