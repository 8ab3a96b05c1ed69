"""why provisioning failed, on the request

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 11:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_request') as table:
        table.add_column(sa.Column('provisioning_error', sa.String(length=16), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('access_request') as table:
        table.drop_column('provisioning_error')
