"""A local certificate authority for demos and tests: a P-256 root that issues document-signing certificates.

A real deployment signs with a certificate from a qualified issuer (Buypass, Commfides) on a key file or token;
this CA only stands in for one so that every PDF the project produces is signed and checkable end to end.
Files (PEM):

- ``<dir>/ca.pem``, ``<dir>/ca-key.pem`` (mode 0600): the root, created on first use;
- ``<dir>/<stem>.pem``, ``<dir>/<stem>-key.pem`` (mode 0600): an end-entity certificate issued by :meth:`issue_signer`.

Every end-entity certificate says what kind of issuer holds it (:class:`IssuerKind`: a lower-secondary school, a
higher-education institution, the portal) as a certificate policy, so that a school can never sign as a
university however it is named. Only registered signers get one: :meth:`LocalCertificateAuthority.issue_for`
takes a :class:`RegisteredSigner`, which callers build from a registry entry (the federation registry for
institutions, the school registry for schools), never from a name found in an input file.

Creation is guarded by an exclusive lock file so that two processes starting at once end up with one CA.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from vitnemal.files import private_dir, write_private

CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
CA_VALID_DAYS = 3650
SIGNER_VALID_DAYS = 825
RENEW_BEFORE = dt.timedelta(days=30)
# X.520 organizationIdentifier; Norwegian organisations use "NTRNO-<organisasjonsnummer>" (ETSI EN 319 412-1).
ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")
# The project's own OID arc, a UUID OID (ITU-T X.667: 2.25.<UUID as an integer>) so that no registration is needed;
# issuer kinds are policies under its arc 1.
ISSUER_KIND_ARC = "2.25.203962515046423093424519585618744512207.1"


class IssuerKind(StrEnum):
    """What kind of issuer a signer certificate belongs to (a certificate policy OID under ISSUER_KIND_ARC)."""

    SCHOOL = "school"
    INSTITUTION = "institution"
    PORTAL = "portal"

    @property
    def policy_oid(self) -> x509.ObjectIdentifier:
        return x509.ObjectIdentifier(f"{ISSUER_KIND_ARC}.{_KIND_NUMBERS[self]}")


_KIND_NUMBERS = {IssuerKind.SCHOOL: 1, IssuerKind.INSTITUTION: 2, IssuerKind.PORTAL: 3}
_KINDS_BY_OID = {kind.policy_oid: kind for kind in IssuerKind}


def issuer_kind(certificate: x509.Certificate) -> IssuerKind | None:
    """Return the issuer kind a certificate states in its policies, or None (e.g. one from another CA)."""
    try:
        policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    kinds = {_KINDS_BY_OID[p.policy_identifier] for p in policies if p.policy_identifier in _KINDS_BY_OID}
    return kinds.pop() if len(kinds) == 1 else None  # two kinds at once is no kind at all


_KIND_PHRASES = {
    IssuerKind.SCHOOL: "issued by a lower-secondary school",
    IssuerKind.INSTITUTION: "issued by a higher-education institution",
    IssuerKind.PORTAL: "issued by the diploma portal",
}


def describe_issuer(kind: IssuerKind | str | None, name: str) -> str:
    """Return what a verifier tells people about the signer, e.g. "issued by a lower-secondary school: Åsane skole"."""
    if kind is None:
        return f"issued by {name} (the certificate states no issuer kind)"
    return f"{_KIND_PHRASES[IssuerKind(kind)]}: {name}"


@dataclass(frozen=True)
class RegisteredSigner:
    """A signer as its registry knows it: its kind, its registry key and its names.

    ``identifier`` is the organisation number of a school or the portal, or the institution code; ``stem`` is
    derived from it, never from the name, so two names that simplify alike never share a certificate.
    """

    kind: IssuerKind
    identifier: str
    name: str
    organization_number: str | None = None
    unit: str | None = None
    locality: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9]{1,20}", self.identifier):
            raise ValueError(f"a signer's registry identifier is letters and digits: {self.identifier!r}")
        if not self.name.strip():
            raise ValueError("a registered signer needs a name")

    @property
    def stem(self) -> str:
        return f"{self.kind.value}-{self.identifier}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory/.lock`` (POSIX flock; a no-op where flock is missing)."""
    private_dir(directory)  # it holds private keys
    with open(directory / ".lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


_NORDIC = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae"})


def file_stem(common_name: str) -> str:
    """Return a safe file name for a signer: ASCII letters, digits and dashes ("Åsane skole" → "asane-skole")."""
    ascii_name = unicodedata.normalize("NFKD", common_name.translate(_NORDIC))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode().casefold()).strip("-")
    return slug or "signer"


@dataclass(frozen=True)
class LocalCertificateAuthority:
    """A loaded CA: its directory, root certificate and private key."""

    directory: Path
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    @property
    def cert_path(self) -> Path:
        return self.directory / CA_CERT_FILE

    @classmethod
    def create_or_load(cls, directory: Path, name: str = "vitnemal lokal CA") -> LocalCertificateAuthority:
        """Return the CA kept in ``directory``, creating a new P-256 root named ``name`` when there is none."""
        directory = Path(directory)
        with _locked(directory):
            cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
            if cert_path.exists() and key_path.exists():
                return cls._load(directory)
            key = ec.generate_private_key(ec.SECP256R1())
            subject = x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vitnemal (demo)"),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                ]
            )
            now = _now()
            public = key.public_key()
            certificate = (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(subject)
                .public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=CA_VALID_DAYS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_key_usage(key_cert_sign=True), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
                .sign(key, hashes.SHA256())
            )
            write_private(key_path, _pem_key(key))
            _write_public(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
            return cls(directory, certificate, key)

    @classmethod
    def _load(cls, directory: Path) -> LocalCertificateAuthority:
        certificate = x509.load_pem_x509_certificate((directory / CA_CERT_FILE).read_bytes())
        key = serialization.load_pem_private_key((directory / CA_KEY_FILE).read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{directory / CA_KEY_FILE}: expected an EC (P-256) key")
        return cls(directory, certificate, key)

    def issue_signer(
        self,
        directory: Path,
        common_name: str,
        organization: str,
        *,
        organization_number: str | None = None,
        unit: str | None = None,
        stem: str | None = None,
        valid_days: int = SIGNER_VALID_DAYS,
        reuse: bool = True,
        kind: IssuerKind = IssuerKind.INSTITUTION,
        locality: str | None = None,
    ) -> tuple[Path, Path]:
        """Return ``(key_path, cert_path)`` of a document-signing certificate of issuer ``kind``.

        The certificate has key usage digitalSignature + nonRepudiation, the kind's policy, and is issued by this
        CA; ``unit`` becomes its OU (institutions put their code there, see
        :func:`vitnemal.signing.forensics.institution_unit`). With ``reuse`` an existing pair issued by this CA for
        the same subject and kind, valid for at least 30 more days, is returned as it is. Callers with a registry
        entry use :meth:`issue_for`.
        """
        directory = Path(directory)
        stem = stem or file_stem(common_name)
        key_path, cert_path = directory / f"{stem}-key.pem", directory / f"{stem}.pem"
        with _locked(directory):
            key = ec.generate_private_key(ec.SECP256R1())
            attributes = [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            ]
            if unit:
                attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
            if organization_number:
                attributes.append(x509.NameAttribute(ORGANIZATION_IDENTIFIER, f"NTRNO-{organization_number}"))
            if locality:
                attributes.append(x509.NameAttribute(NameOID.LOCALITY_NAME, locality))
            attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
            subject = x509.Name(attributes)
            if reuse and self._issued_here(key_path, cert_path, subject, kind):
                return key_path, cert_path
            now = _now()
            public = key.public_key()
            ca_public = self.private_key.public_key()
            certificate = (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(self.certificate.subject)
                .public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(min(now + dt.timedelta(days=valid_days), self.certificate.not_valid_after_utc))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), critical=False)
                .add_extension(
                    x509.CertificatePolicies([x509.PolicyInformation(kind.policy_oid, None)]), critical=False
                )
                .sign(self.private_key, hashes.SHA256())
            )
            write_private(key_path, _pem_key(key))
            _write_public(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
        return key_path, cert_path

    def issue_for(self, directory: Path, signer: RegisteredSigner, *, reuse: bool = True) -> tuple[Path, Path]:
        """Return ``(key_path, cert_path)`` for a registered signer, in ``directory/<kind>-<identifier>.pem``.

        The subject is ``O`` and ``CN`` the registered name, ``organizationIdentifier`` NTRNO-<organisation
        number> when there is one, ``OU`` the unit, ``L`` the locality; the policy is the signer's kind.
        """
        return self.issue_signer(
            directory, signer.name, signer.name, organization_number=signer.organization_number, unit=signer.unit,
            stem=signer.stem, reuse=reuse, kind=signer.kind, locality=signer.locality,
        )

    def _issued_here(self, key_path: Path, cert_path: Path, subject: x509.Name, kind: IssuerKind) -> bool:
        if not (key_path.exists() and cert_path.exists()):
            return False
        try:
            certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
            certificate.verify_directly_issued_by(self.certificate)
        except (ValueError, TypeError, InvalidSignature):
            return False
        # A renamed signer, or a certificate made before issuer kinds, gets a new certificate.
        if certificate.subject != subject or issuer_kind(certificate) is not kind:
            return False
        return certificate.not_valid_after_utc - RENEW_BEFORE > _now()


def _key_usage(
    *, digital_signature: bool = False, content_commitment: bool = False, key_cert_sign: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
