"""What the case pages share: the clock, the page's language, the institutions' names and the page router.

Pages stand on the staff pages' access (``staffpages.access.require_staff``): the institution comes from the
path only, the roles from that institution's database, and every service call passes ``access.actor`` so that
the service records the audit event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request

from vitnemal.exchange.states import OutcomeState
from vitnemal.exchange.views import OrderView
from vitnemal.i18n import Language, as_language
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.recognition.refusals import Said
from vitnemal.staffpages.render import say
from vitnemal.web.assets import versioned
from vitnemal.web.context import language
from vitnemal.web.deps import wake_worker as wake_worker  # the pages' import of the one shared dependency

STATIC = Path(__file__).parent / "static"
LIVE_JS_PATH = "/casepages/order-live.js"
LIVE_JS = versioned(LIVE_JS_PATH, STATIC / "order-live.js")  # what pages link: cached, no request per page
CSS = "/casepages/casepages.css"
CSS_URL = versioned(CSS, STATIC / "casepages.css")  # linked by every case page (a global of the templates)
BULK_JS = "/casepages/bulk-progress.js"


def now() -> datetime:
    return datetime.now(UTC)


def lang_of(request: Request) -> Language:
    return as_language(language(request))


def said(request: Request, sentence: Said) -> str:
    """A refusal or note of the recognition service in the page's language."""
    return say(request, sentence)


def host_of(request: Request) -> LocalInstitutions:
    host: LocalInstitutions = request.app.state.host
    return host


def institution_names(request: Request, lang: Language) -> dict[str, str]:
    """Every member institution's name in ``lang`` (bokmål for nynorsk: the registry has nb and en), told apart
    from the others that share it since a merger."""
    registry = host_of(request).registry
    return {code: registry.distinct_name(code, lang) for code in registry.institutions}


def progress(view: OrderView) -> dict[str, Any]:
    """How far an order has come: answered / total, imported, problems (what a case worker must act on)."""
    outcomes = view["outcomes"]
    answered = [o for o in outcomes if o["state"] != OutcomeState.PENDING]
    return {"total": len(outcomes), "answered": len(answered),
            "imported": sum(1 for o in outcomes if o["outcome"] == "imported"),
            "problems": sum(1 for o in outcomes if o["tone"] in ("danger", "warning")),
            "waiting": sum(1 for o in outcomes if o["state"] == OutcomeState.RETRY),
            "pending": len(outcomes) - len(answered)}
