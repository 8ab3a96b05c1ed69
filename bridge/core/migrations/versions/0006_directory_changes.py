"""customers suspended by a full directory import

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:00:00
"""

from alembic import op
import sqlalchemy as sa

from bridge.core.models import UTCDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer') as table:
        table.add_column(sa.Column('suspended_at', UTCDateTime(timezone=True), nullable=True))
        table.add_column(sa.Column('suspension', sa.String(length=16), nullable=False, server_default=''))
        table.add_column(sa.Column('access_ended_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customer') as table:
        table.drop_column('access_ended_at')
        table.drop_column('suspension')
        table.drop_column('suspended_at')
