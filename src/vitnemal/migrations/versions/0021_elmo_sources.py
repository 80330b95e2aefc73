"""interop: external-study records read from ELMO files (their issuer, grading schemes, signer); room for grades
and scheme ids as foreign institutions write them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "elmo_sources",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("issuer_identifiers", sa.JSON(), nullable=False),
        sa.Column("grading_schemes", sa.JSON(), nullable=False),
        sa.Column("signer", sa.String(length=500), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["external_study_records.id"],
                                name=op.f("fk_elmo_sources_record_id_external_study_records"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_elmo_sources")),
    )
    with op.batch_alter_table("external_results", schema=None) as batch_op:
        batch_op.alter_column("grade", existing_type=sa.String(length=20), type_=sa.String(length=100),
                              existing_nullable=False)
        batch_op.alter_column("grading_scale", existing_type=sa.String(length=20), type_=sa.String(length=100),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("external_results", schema=None) as batch_op:
        batch_op.alter_column("grading_scale", existing_type=sa.String(length=100), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.alter_column("grade", existing_type=sa.String(length=100), type_=sa.String(length=20),
                              existing_nullable=False)
    op.drop_table("elmo_sources")
