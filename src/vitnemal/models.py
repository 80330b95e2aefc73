"""Imports every model so that the metadata (and Alembic) sees the whole schema."""

from vitnemal import ratelimit
from vitnemal.admissions import models as admission_models
from vitnemal.audit import models as audit_models
from vitnemal.diplomas import models as diploma_models
from vitnemal.emrex import models as emrex_models
from vitnemal.emrex2 import models as emrex2_models
from vitnemal.exchange import models as exchange_models
from vitnemal.identity import models as identity_models
from vitnemal.interop import models as interop_models
from vitnemal.portal import models as portal_models
from vitnemal.programmes import models as programme_models
from vitnemal.recognition import models as recognition_models
from vitnemal.records import models as records_models
from vitnemal.staff import models as staff_models
from vitnemal.web import models as web_models

__all__ = [
    "admission_models",
    "audit_models",
    "diploma_models",
    "emrex2_models",
    "emrex_models",
    "exchange_models",
    "identity_models",
    "interop_models",
    "portal_models",
    "programme_models",
    "ratelimit",
    "recognition_models",
    "records_models",
    "staff_models",
    "web_models",
]
