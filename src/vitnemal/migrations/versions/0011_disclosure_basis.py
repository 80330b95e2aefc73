"""disclosure log: legal basis, consent date and reference, owner login

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis", sa.String(length=20), server_default="consent", nullable=False))
        batch_op.add_column(sa.Column("consent_given_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("consent_reference", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("login_acr", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_column("login_acr")
        batch_op.drop_column("login_at")
        batch_op.drop_column("consent_reference")
        batch_op.drop_column("consent_given_at")
        batch_op.drop_column("basis")
