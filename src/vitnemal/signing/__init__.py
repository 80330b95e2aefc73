"""Signing issued documents: a local CA for demos and tests, PAdES signing of PDFs, and checking signatures.

- :mod:`~vitnemal.signing.ca`: :class:`~vitnemal.signing.ca.LocalCertificateAuthority` (P-256 root, issues
  document-signing certificates to institutions and schools);
- :mod:`~vitnemal.signing.pdf`: the :class:`~vitnemal.signing.pdf.PdfSigner` protocol and
  :class:`~vitnemal.signing.pdf.KeyFileSigner` (certifying PAdES signature, key loaded once);
- :mod:`~vitnemal.signing.verify`: :func:`~vitnemal.signing.verify.check_pdf` (is a document genuine) and
  :func:`~vitnemal.signing.verify.verify_pdf` (each signature);
- :mod:`~vitnemal.signing.forensics`: what a signed PDF says about itself (signer, document id, raw digest,
  the unsigned ``/Contents``), read by bounded walks;
- :mod:`~vitnemal.signing.limits` and :mod:`~vitnemal.signing.pool`: the limits on checking an untrusted file,
  and the worker processes that enforce its time limit and memory cap.
"""
