"""A built-in OpenID Connect provider for demos and tests, like ID-porten's TestID: type or pick a test person.

It is a real provider over HTTP (discovery, JWKS, ES256-signed ID tokens, a token endpoint with client
authentication and PKCE, end_session), so the portal's login code is the same as against ID-porten. It refuses to
run when the settings say production.
"""
