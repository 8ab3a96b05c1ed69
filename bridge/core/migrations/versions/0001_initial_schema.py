"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 19:56:55.449479
"""

from alembic import op
import sqlalchemy as sa
import bridge.core.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer',
    sa.Column('customer_number', sa.String(length=20), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('postal_code', sa.String(length=20), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('manager_email', sa.String(length=254), nullable=True),
    sa.Column('manager_language', sa.String(length=5), nullable=False),
    sa.Column('updated_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('customer_number')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('access_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_number', sa.String(length=20), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('job_title', sa.String(length=100), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('privacy_consent_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('assigned_manager_email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('keycloak_user_id', sa.String(length=64), nullable=True),
    sa.Column('activation_due_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('activation_sent_at', bridge.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_number'], ['customer.customer_number'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_request', schema=None) as batch_op:
        batch_op.create_index('ix_access_request_activation_due', ['status', 'activation_due_at'], unique=False)
        batch_op.create_index('ix_access_request_manager_status', ['assigned_manager_email', 'status'], unique=False)
        batch_op.create_index('uq_access_request_pending_email', ['email'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', bridge.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['access_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('audit_event')
    with op.batch_alter_table('access_request', schema=None) as batch_op:
        batch_op.drop_index('uq_access_request_pending_email', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_access_request_manager_status')
        batch_op.drop_index('ix_access_request_activation_due')

    op.drop_table('access_request')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
    op.drop_table('customer')
