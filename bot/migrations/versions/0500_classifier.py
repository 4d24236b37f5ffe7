"""the learned classifier's confidence and verdict on each report, and analysts' corrections

Revision ID: 0500_classifier
Revises: 0400_batch_jobs
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = "0500_classifier"
down_revision = "0400_batch_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("verdict", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("predicted_family", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("family_corrected_by", sa.String(length=254), nullable=True))
        batch.add_column(
            sa.Column("family_corrected_at", UTCDateTime(timezone=True), nullable=True)
        )
        batch.create_index("ix_reports_family_corrected_at", ["family_corrected_at"])


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_family_corrected_at")
        for column in (
            "family_corrected_at",
            "family_corrected_by",
            "predicted_family",
            "verdict",
            "confidence",
        ):
            batch.drop_column(column)
