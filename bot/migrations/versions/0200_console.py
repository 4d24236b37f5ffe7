"""console: users' view lock, console alerts, indexes for the console's read paths

Revision ID: 0200_console
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0200_console"
down_revision = "0100_voice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("views_locked_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_login_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "console_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resolved_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_alerts_at", "console_alerts", ["at"])
    op.create_index("ix_audit_log_actor_action_at", "audit_log", ["actor", "action", "at"])
    op.create_index("ix_numbers_reporter_count", "numbers", ["reporter_count", "id"])
    op.create_index("ix_numbers_report_count", "numbers", ["report_count", "id"])
    op.create_index("ix_reports_number_family", "reports", ["number_id", "family"])
    op.create_index("ix_reports_number_received", "reports", ["number_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_number_received", table_name="reports")
    op.drop_index("ix_reports_number_family", table_name="reports")
    op.drop_index("ix_numbers_report_count", table_name="numbers")
    op.drop_index("ix_numbers_reporter_count", table_name="numbers")
    op.drop_index("ix_audit_log_actor_action_at", table_name="audit_log")
    op.drop_index("ix_console_alerts_at", table_name="console_alerts")
    op.drop_table("console_alerts")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("views_locked_at")
