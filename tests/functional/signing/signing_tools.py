"""Helpers shared by the signing tests."""

from __future__ import annotations

import os
import shutil

import pytest


def poppler_tool(name: str) -> str:
    """Return the path of a poppler-utils tool; skip without it locally, fail under CI (it must run there)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} (poppler-utils) is missing; scripts/system-packages installs it")
        pytest.skip(f"{name} (poppler-utils) not installed")
    return path
