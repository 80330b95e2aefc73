"""The public verification of documents: ``/verify`` for uploads and the QR code's address, as pages for people
(nb, nn, en) and as JSON for API clients, for the portal's share PDFs, institutions' diplomas and schools'
certificates."""
