"""the qualification a programme leads to

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qualification_code", sa.String(length=30), nullable=True))
        batch_op.create_index(batch_op.f("ix_programmes_qualification_code"), ["qualification_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programmes_qualification_code"))
        batch_op.drop_column("qualification_code")
