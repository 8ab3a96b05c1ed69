"""which team admin vouched for a request

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_request') as table:
        table.add_column(sa.Column('vouched_by', sa.String(length=254), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('access_request') as table:
        table.drop_column('vouched_by')
