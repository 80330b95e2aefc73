"""Rendering a staff page: the template gets the ``staff`` access (institution, user, roles) for the navigation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import HTMLResponse

from vitnemal.i18n import PGettext
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, StaffUser
from vitnemal.web.context import language
from vitnemal.web.i18n import translations
from vitnemal.web.templating import register_templates, render

register_templates(Path(__file__).parent / "templates")


def render_staff(request: Request, access: StaffAccess | StaffUser | None, name: str,
                 context: Mapping[str, Any] | None = None, *, status_code: int = 200,
                 headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """Render ``name`` (a template extending ``staffpages/base.html``) for ``access``: the base shows the
    institution's navigation for the roles held there, the user and the logout button."""
    values: dict[str, Any] = {"staff": access if isinstance(access, StaffAccess) else None,
                              "staff_user": access.user if isinstance(access, StaffAccess) else access,
                              "Role": Role}
    values.update(context or {})
    return render(request, name, values, status_code=status_code, headers=headers)


class Sayable(Protocol):
    """A domain package's sentence (a refusal, a note) that says itself through a catalogue's ``pgettext``."""

    def said(self, pgettext: PGettext) -> str: ...


def say(request: Request, sentence: Sayable) -> str:
    """``sentence`` in the page's language."""
    return sentence.said(translations(language(request)).upgettext)
