"""partners' last sign-in and inactivity notice

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00
"""

from alembic import op
import sqlalchemy as sa
import bridge.core.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in',
        sa.Column('keycloak_user_id', sa.String(length=64), nullable=False),
        sa.Column('first_seen_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_sign_in_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('notice_sent_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('keycloak_user_id'),
    )


def downgrade() -> None:
    op.drop_table('sign_in')
