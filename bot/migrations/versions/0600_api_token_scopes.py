"""API tokens carry scopes; tokens made before scopes keep the access they had

Revision ID: 0600_api_token_scopes
Revises: 0500_classifier
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0600_api_token_scopes"
down_revision = "0500_classifier"
branch_labels = None
depends_on = None

EVERY_SCOPE = "numbers:read reports:read blocklist:read"


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("scopes", sa.String(length=200), nullable=False, server_default="")
        )
    op.execute(sa.text("UPDATE api_tokens SET scopes = :scopes").bindparams(scopes=EVERY_SCOPE))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scopes")
