"""Web routes for diplomas: the public verification page and API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["diplomas"])
