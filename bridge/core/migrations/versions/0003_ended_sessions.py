"""ended review sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:10:00
"""

from alembic import op
import sqlalchemy as sa
import bridge.core.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ended_session',
        sa.Column('sid', sa.String(length=64), nullable=False),
        sa.Column('ended_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('sid'),
    )


def downgrade() -> None:
    op.drop_table('ended_session')
