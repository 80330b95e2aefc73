"""The test provider's staff users (its Feide-like side) and the roles the demo gives them.

Feide tells a service who someone is (eduPersonPrincipalName) and at which institution; what they may do is the
institution's own business, kept in its database (``staff.roles``). So the test users are plain Feide-like
accounts per institution, and the demo and the test federations grant them roles like an administrator would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from vitnemal.institutions.registry import MemberKind, Registry
from vitnemal.staff.roles import Role, grant_role

GRANTED_BY = "demo"
OPERATOR_USER = "operator@sikt.no"
# The first role per institution; the user names read like the people a case worker's office has.
_PER_INSTITUTION = (("saksbehandler", "Saksbehandler", Role.CASE_WORKER),
                    ("vitnemal", "Vitnemålsansvarlig", Role.DIPLOMA_OFFICER),
                    ("admin", "Administrator", Role.ADMIN),
                    ("opptak", "Opptaksansvarlig", Role.ADMISSIONS_OFFICER))  # its local admission (Søknadsweb)
# An admission body (Samordna opptak) has no case workers or diplomas: its admissions officer and administrator.
_PER_ADMISSION_BODY = (("opptak", "Opptaksansvarlig", Role.ADMISSIONS_OFFICER),
                       ("admin", "Administrator", Role.ADMIN))


@dataclass(frozen=True)
class TestStaff:
    """A test staff account: its user name, display name, and the roles it is given where (code None: operator)."""

    username: str
    name: str
    grants: tuple[tuple[str | None, Role], ...]

    @property
    def institutions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(code for code, _ in self.grants if code is not None))


def realm(short_name: str) -> str:
    """The Feide realm of an institution in the demo: its short name, e.g. ``uio.no``."""
    return (re.sub(r"[^a-z0-9-]", "", short_name.lower()) or "institution") + ".no"


def staff_test_users(institutions: Iterable[tuple[str, str]],
                     admission_bodies: Iterable[tuple[str, str]] = ()) -> list[TestStaff]:
    """The test staff for ``(code, short name)`` pairs: a case worker, a diploma officer, an administrator and an
    admissions officer at each institution, one case worker at the first two (Feide users can belong to more than
    one), an admissions officer and an administrator at each admission body, and the operator."""
    pairs = list(institutions)
    users = [TestStaff(f"{login}@{realm(short)}", f"{title} {short}", ((code, role),))
             for code, short in pairs for login, title, role in _PER_INSTITUTION]
    users += [TestStaff(f"{login}@{realm(short)}", f"{title} {short}", ((code, role),))
              for code, short in admission_bodies for login, title, role in _PER_ADMISSION_BODY]
    if len(pairs) >= 2:
        (first, first_short), (second, _) = pairs[:2]
        users.append(TestStaff(f"kari.nordmann@{realm(first_short)}", "Kari Nordmann",
                               ((first, Role.CASE_WORKER), (second, Role.CASE_WORKER))))
    users.append(TestStaff(OPERATOR_USER, "Operatør Sikt", ((None, Role.OPERATOR),)))
    return users


def registry_pairs(registry: Registry, kind: MemberKind = MemberKind.INSTITUTION) -> list[tuple[str, str]]:
    return [(e.code, e.short_name) for e in registry if e.kind == kind]


def registry_staff(registry: Registry) -> list[TestStaff]:
    """The test staff of every institution and admission body in ``registry``."""
    return staff_test_users(registry_pairs(registry), registry_pairs(registry, MemberKind.ADMISSION))


def grant_test_roles(session: Session, users: Iterable[TestStaff], code: str | None) -> int:
    """Grant, in the database of ``code`` (None: the web surface's), each test user's roles there; how many new."""
    return sum(grant_role(session, user.username, role, by=GRANTED_BY)
               for user in users for where, role in user.grants if where == code)
