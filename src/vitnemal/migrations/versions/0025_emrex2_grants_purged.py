"""emrex2: when a consent record's copy of the results was deleted (a year after, as shares)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 05:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("emrex2_grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("emrex2_grants", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
