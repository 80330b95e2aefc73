"""The case worker's API for recognition cases."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["recognition"])
