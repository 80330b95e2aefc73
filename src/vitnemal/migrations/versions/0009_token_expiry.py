"""staff tokens expire

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:10:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from vitnemal.db import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tokens issued before tokens had an expiry keep working for this long after the upgrade.
_GRACE = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("staff_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("staff_tokens", sa.column("expires_at", UtcDateTime()))
    op.execute(tokens.update().values(expires_at=datetime.now(UTC) + _GRACE))
    with op.batch_alter_table("staff_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
