"""emrex2: the transfer each consent's answer became, per format (a repeated GET hands the same document back)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("emrex2_grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("elmo_transfer_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("pdf_transfer_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("emrex2_grants", schema=None) as batch_op:
        batch_op.drop_column("pdf_transfer_id")
        batch_op.drop_column("elmo_transfer_id")
