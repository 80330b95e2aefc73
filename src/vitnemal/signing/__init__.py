"""Signing issued documents: a local CA for demos and tests, PAdES signing of PDFs, and checking signatures.

- :mod:`~vitnemal.signing.ca`: :class:`~vitnemal.signing.ca.LocalCertificateAuthority` (P-256 root, issues
  document-signing certificates to institutions and schools);
- :mod:`~vitnemal.signing.pdf`: the :class:`~vitnemal.signing.pdf.PdfSigner` protocol and
  :class:`~vitnemal.signing.pdf.KeyFileSigner` (certifying PAdES signature, key loaded once);
- :mod:`~vitnemal.signing.verify`: :func:`~vitnemal.signing.verify.verify_pdf`.
"""
