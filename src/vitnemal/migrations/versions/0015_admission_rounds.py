"""admission rounds: the round, its applicants, rejected lines, each institution's answer, the workers taking part

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("admission_rounds",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("requester", sa.String(length=20), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("institutions", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("source", sa.String(length=300), nullable=False),
    sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("paused_by", sa.String(length=100), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("lines_total", sa.Integer(), nullable=False),
    sa.Column("lines_rejected", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_rounds"))
    )
    with op.batch_alter_table("admission_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admission_rounds_status"), ["status"], unique=False)

    op.create_table("admission_applicants",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("round_id", sa.Integer(), nullable=False),
    sa.Column("line_no", sa.Integer(), nullable=True),
    sa.Column("national_id", sa.String(length=11), nullable=False),
    sa.Column("first_name", sa.String(length=100), nullable=True),
    sa.Column("last_name", sa.String(length=100), nullable=True),
    sa.Column("reference", sa.String(length=60), nullable=True),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("lease_owner", sa.String(length=100), nullable=True),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("stopped", sa.String(length=30), nullable=True),
    sa.Column("first_asked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("elapsed_ms", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["round_id"], ["admission_rounds.id"],
                            name=op.f("fk_admission_applicants_round_id_admission_rounds"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_applicants")),
    sa.UniqueConstraint("round_id", "national_id", name=op.f("uq_admission_applicants_round_id"))
    )
    with op.batch_alter_table("admission_applicants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admission_applicants_finished_at"), ["finished_at"], unique=False)
        batch_op.create_index("ix_admission_applicants_round_status", ["round_id", "status"], unique=False)

    op.create_table("admission_rejected_lines",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("round_id", sa.Integer(), nullable=False),
    sa.Column("line_no", sa.Integer(), nullable=False),
    sa.Column("national_id", sa.String(length=20), nullable=False),
    sa.Column("reason", sa.String(length=30), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(["round_id"], ["admission_rounds.id"],
                            name=op.f("fk_admission_rejected_lines_round_id_admission_rounds"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_rejected_lines"))
    )
    with op.batch_alter_table("admission_rejected_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admission_rejected_lines_round_id"), ["round_id"], unique=False)

    op.create_table("admission_round_workers",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("round_id", sa.Integer(), nullable=False),
    sa.Column("worker", sa.String(length=100), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["round_id"], ["admission_rounds.id"],
                            name=op.f("fk_admission_round_workers_round_id_admission_rounds"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_round_workers")),
    sa.UniqueConstraint("round_id", "worker", name=op.f("uq_admission_round_workers_round_id"))
    )
    with op.batch_alter_table("admission_round_workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admission_round_workers_round_id"), ["round_id"], unique=False)

    op.create_table("admission_fetches",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("round_id", sa.Integer(), nullable=False),
    sa.Column("applicant_id", sa.Integer(), nullable=False),
    sa.Column("institution_code", sa.String(length=10), nullable=False),
    sa.Column("state", sa.String(length=10), nullable=False),
    sa.Column("outcome", sa.String(length=30), nullable=False),
    sa.Column("message", sa.Text(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("elapsed_ms", sa.Integer(), nullable=True),
    sa.Column("results_count", sa.Integer(), nullable=False),
    sa.Column("qualifications_count", sa.Integer(), nullable=False),
    sa.Column("contents", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["applicant_id"], ["admission_applicants.id"],
                            name=op.f("fk_admission_fetches_applicant_id_admission_applicants"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["round_id"], ["admission_rounds.id"],
                            name=op.f("fk_admission_fetches_round_id_admission_rounds"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_fetches")),
    sa.UniqueConstraint("applicant_id", "institution_code", name=op.f("uq_admission_fetches_applicant_id"))
    )
    with op.batch_alter_table("admission_fetches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admission_fetches_round_id"), ["round_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("admission_fetches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admission_fetches_round_id"))

    op.drop_table("admission_fetches")
    with op.batch_alter_table("admission_round_workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admission_round_workers_round_id"))

    op.drop_table("admission_round_workers")
    with op.batch_alter_table("admission_rejected_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admission_rejected_lines_round_id"))

    op.drop_table("admission_rejected_lines")
    with op.batch_alter_table("admission_applicants", schema=None) as batch_op:
        batch_op.drop_index("ix_admission_applicants_round_status")
        batch_op.drop_index(batch_op.f("ix_admission_applicants_finished_at"))

    op.drop_table("admission_applicants")
    with op.batch_alter_table("admission_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admission_rounds_status"))

    op.drop_table("admission_rounds")
