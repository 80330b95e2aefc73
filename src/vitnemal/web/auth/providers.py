"""The identity providers the login page offers, from the settings.

ID-porten (``VITNEMAL_OIDC_*``) is always there; without an issuer, outside production, it is the built-in test
provider at ``<public URL>/test-idp``, whose client secret both sides derive from the shared secret key. Feide is
offered by the same code where ``VITNEMAL_FEIDE_ISSUER`` is set.

Staff log in to the institution's pages with Feide too (``feide-staff``: the same client, the user name from the
eduPersonPrincipalName claim instead of the national id). Without ``VITNEMAL_FEIDE_ISSUER``, outside production,
that is the test provider's Feide-like side at ``<public URL>/test-idp/feide`` with its staff test users.
"""

from __future__ import annotations

import base64

from vitnemal.config import Settings
from vitnemal.web.auth.oidc import Provider
from vitnemal.web.secretkey import derive

TEST_IDP_PATH = "/test-idp"
# Feide has no ID-porten levels of assurance; its national id comes in this claim (check the client's scopes).
FEIDE_PID_CLAIM = "https://n.feide.no/claims/nin"
FEIDE_USER_CLAIM = "https://n.feide.no/claims/eduPersonPrincipalName"
TEST_FEIDE_PATH = TEST_IDP_PATH + "/feide"
TEST_FEIDE_CLIENT_ID = "vitnemal-staff"
STAFF_PROVIDER = "feide-staff"


class ProviderMissing(RuntimeError):
    """Production without VITNEMAL_OIDC_ISSUER; the message says what to set."""


def test_idp_client_secret(secret: bytes) -> str:
    return base64.urlsafe_b64encode(derive(secret, "test-idp-client")).decode().rstrip("=")


def test_idp_issuer(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + TEST_IDP_PATH


def test_feide_client_secret(secret: bytes) -> str:
    return base64.urlsafe_b64encode(derive(secret, "test-feide-client")).decode().rstrip("=")


def test_feide_issuer(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + TEST_FEIDE_PATH


def configured_providers(settings: Settings, secret: bytes) -> list[Provider]:
    if settings.oidc_issuer:
        if not settings.oidc_client_secret:
            raise ProviderMissing("VITNEMAL_OIDC_ISSUER is set but VITNEMAL_OIDC_CLIENT_SECRET is not")
        main = Provider("idporten", "ID-porten", settings.oidc_issuer, settings.oidc_client_id,
                        settings.oidc_client_secret)
    elif settings.production:
        raise ProviderMissing("production needs VITNEMAL_OIDC_ISSUER, VITNEMAL_OIDC_CLIENT_ID and "
                              "VITNEMAL_OIDC_CLIENT_SECRET (ID-porten); the built-in test provider never runs there")
    else:
        main = Provider("idporten", "ID-porten (TestID)", test_idp_issuer(settings), settings.oidc_client_id,
                        test_idp_client_secret(secret))
    found = [main]
    if settings.feide_issuer:
        found.append(Provider("feide", "Feide", settings.feide_issuer, settings.feide_client_id,
                              settings.feide_client_secret, min_acr=None, pid_claim=FEIDE_PID_CLAIM))
        found.append(Provider(STAFF_PROVIDER, "Feide", settings.feide_issuer, settings.feide_client_id,
                              settings.feide_client_secret, min_acr=None, kind="staff",
                              user_claim=FEIDE_USER_CLAIM))
    elif not settings.production:
        found.append(Provider(STAFF_PROVIDER, "Feide (test)", test_feide_issuer(settings), TEST_FEIDE_CLIENT_ID,
                              test_feide_client_secret(secret), min_acr=None, kind="staff",
                              user_claim=FEIDE_USER_CLAIM))
    return found
