"""EMREX 2 (issue 10 #3): the portal as an OAuth 2 data provider. A registered client (``vitnemal.emrex.clients``,
kind ``emrex2``) sends the applicant to the authorization endpoint (code flow, PKCE S256 required); after the
portal's login the applicant picks results and consents; the client trades the code for an access token of at most
ten minutes, authenticating with a JWT signed by its own key (private_key_jwt, RFC 7523), and fetches
``GET /emrex/results?data_format=elmo|pdf``, each answer signed in an ``X-Signature`` header (detached JWS). Every
consent is kept with a reference id (:class:`vitnemal.emrex2.models.Emrex2Grant`); every answer is a transfer the
owner sees (``vitnemal.emrex.transfers``)."""
