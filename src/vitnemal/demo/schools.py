"""The demo's lower-secondary schools, registered so that they may issue certificates.

The organisation numbers start with 1, which Enhetsregisteret never uses (real ones start with 8 or 9), so they
are valid in form (modulus-11) and belong to no real organisation. The first is the school of examples/school.
"""

from __future__ import annotations

from pathlib import Path

from vitnemal.school.registry import SchoolEntry, register_schools

DEMO_SCHOOLS = (
    SchoolEntry("100000008", "Eksempel ungdomsskole", "Bergen"),
    SchoolEntry("100000016", "Åsane ungdomsskole", "Bergen"),
    SchoolEntry("100000024", "Haugen skole", "Oslo"),
    SchoolEntry("100000032", "Haugen skole", "Tromsø"),
)


def register_demo_schools(home: Path) -> None:
    register_schools(home, list(DEMO_SCHOOLS))
