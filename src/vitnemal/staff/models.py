"""Case workers' API tokens (only a SHA-256 hash of each token is stored) and the roles of staff who log in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime


class StaffToken(Base):
    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Every token expires; an expired or revoked token is refused (see staff.service.authenticate).
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffRole(Base):
    """One role held by one member of staff, by their login's user name (Feide: eduPersonPrincipalName).

    An institution's roles live in that institution's database, so a role there can only ever open that
    institution's pages; the federation operator's role lives in the web surface's database (see staff.roles).
    """

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("username", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(30))  # a staff.roles.Role
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    granted_by: Mapped[str] = mapped_column(String(200))
