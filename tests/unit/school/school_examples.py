"""A complete, valid pupil to start worked examples from (copy it, then change what the example is about).

Final grades: 4 4 3 | 5 4 | 3 4 5 5 5 4 4 5 | 4  → 14 grades, sum 59
"""

from __future__ import annotations

import copy
from typing import Any

BASE_FINAL = {
    "norsk muntlig": "4",
    "norsk hovedmål skriftlig": "4",
    "norsk sidemål skriftlig": "3",
    "engelsk muntlig": "5",
    "engelsk skriftlig": "4",
    "matematikk": "3",
    "naturfag": "4",
    "samfunnsfag": "5",
    "KRLE": "5",
    "mat og helse": "5",
    "musikk": "4",
    "kunst og håndverk": "4",
    "kroppsøving": "5",
    "fremmedspråk": "4",
}
BASE_FINAL_SUM = 59


def base_pupil(**changes: Any) -> dict[str, Any]:
    """Return a fresh copy of the base pupil: one valgfag (5), exams matematikk skriftlig 3 and engelsk muntlig 4."""
    pupil: dict[str, Any] = {
        "id": "p1",
        "name": "Kari Nordmann",
        "final": copy.deepcopy(BASE_FINAL),
        "electives": ["5"],
        "exams": {"matematikk skriftlig": "3", "engelsk muntlig": "4"},
        "order": "G",
        "conduct": "G",
    }
    pupil.update(copy.deepcopy(changes))
    return pupil
