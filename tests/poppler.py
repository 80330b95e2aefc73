"""poppler-utils for the tests that read PDFs back (signing, school certificates, diplomas)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def poppler_tool(name: str) -> str:
    """Return the path of a poppler-utils tool; skip without it locally, fail under CI (it must run there)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} (poppler-utils) is missing; scripts/system-packages installs it")
        pytest.skip(f"{name} (poppler-utils) not installed")
    return path


def pdf_text(path: Path) -> str:
    """Return the PDF's text with its layout kept (pdftotext -layout)."""
    result = subprocess.run([poppler_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdfsig(path: Path) -> str:
    result = subprocess.run([poppler_tool("pdfsig"), str(path)], capture_output=True, check=False)
    return (result.stdout + result.stderr).decode("utf-8")
