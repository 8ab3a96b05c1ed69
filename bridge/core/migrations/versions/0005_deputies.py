"""deputies: the directory's deputy, escalated requests, managers' absences

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00
"""

from alembic import op
import sqlalchemy as sa
import bridge.core.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer') as table:
        table.add_column(sa.Column('deputy_email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('access_request') as table:
        table.add_column(sa.Column('escalated_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True))
        table.add_column(sa.Column('escalated_to', sa.String(length=254), nullable=True))
        table.create_index('ix_access_request_escalated_to', ['escalated_to'])
    op.create_table(
        'absence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('manager_email', sa.String(length=254), nullable=False),
        sa.Column('deputy_email', sa.String(length=254), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('created_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_absence_manager_email', 'absence', ['manager_email'])
    op.create_index('ix_absence_deputy_email', 'absence', ['deputy_email'])


def downgrade() -> None:
    op.drop_index('ix_absence_deputy_email', 'absence')
    op.drop_index('ix_absence_manager_email', 'absence')
    op.drop_table('absence')
    with op.batch_alter_table('access_request') as table:
        table.drop_index('ix_access_request_escalated_to')
        table.drop_column('escalated_to')
        table.drop_column('escalated_at')
    with op.batch_alter_table('customer') as table:
        table.drop_column('deputy_email')
