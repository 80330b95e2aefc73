"""order changes: the source key of the changed result or qualification (to highlight its row)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_key", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_changes", schema=None) as batch_op:
        batch_op.drop_column("source_key")
