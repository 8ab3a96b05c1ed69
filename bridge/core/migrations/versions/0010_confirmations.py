"""yearly confirmation rounds

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:30:00
"""

from alembic import op
import sqlalchemy as sa
import bridge.core.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'confirmation_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('started_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reminded_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('escalated_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_table(
        'confirmation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('customer_number', sa.String(length=20), nullable=False),
        sa.Column('by_team_admin', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['confirmation_round.id']),
        sa.ForeignKeyConstraint(['customer_number'], ['customer.customer_number']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_confirmation_round_customer', 'confirmation', ['round_id', 'customer_number'], unique=True)
    op.create_table(
        'confirmation_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('confirmation_id', sa.Integer(), nullable=False),
        sa.Column('keycloak_user_id', sa.String(length=64), nullable=False),
        sa.Column('answer', sa.String(length=16), server_default='', nullable=False),
        sa.Column('answered_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['confirmation_id'], ['confirmation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_confirmation_entry_person', 'confirmation_entry', ['confirmation_id', 'keycloak_user_id'],
                    unique=True)
    op.create_index('ix_confirmation_entry_user', 'confirmation_entry', ['keycloak_user_id'])


def downgrade() -> None:
    op.drop_table('confirmation_entry')
    op.drop_table('confirmation')
    op.drop_table('confirmation_round')
