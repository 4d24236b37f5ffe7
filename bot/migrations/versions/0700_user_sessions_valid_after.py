"""a password change, a second-factor reset or a deactivation ends the account's sessions

Revision ID: 0700_user_sessions_valid_after
Revises: 0600_api_token_scopes
Create Date: 2026-12-07 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = "0700_user_sessions_valid_after"
down_revision = "0600_api_token_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("sessions_valid_after", UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sessions_valid_after")
