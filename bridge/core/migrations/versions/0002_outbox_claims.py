"""outbox claims

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 20:13:24.546501
"""

from alembic import op
import sqlalchemy as sa
import bridge.core.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')

