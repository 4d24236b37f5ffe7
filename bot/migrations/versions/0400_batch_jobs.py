"""the RQ job that carries each inbound event and each reply (jobs carry batches)

Revision ID: 0400_batch_jobs
Revises: 0300_campaigns
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0400_batch_jobs"
down_revision = "0300_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_events") as batch:
        batch.add_column(sa.Column("job_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("job_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.drop_column("job_id")
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_column("job_id")
