"""admission consents: the applicant's answer at application (Samordna opptak, local admission)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admission_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("national_id", sa.String(length=11), nullable=False),
        sa.Column("answer", sa.String(length=1), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_consents")),
    )
    with op.batch_alter_table("admission_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admission_consents_national_id"), ["national_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admission_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admission_consents_national_id"))
    op.drop_table("admission_consents")
