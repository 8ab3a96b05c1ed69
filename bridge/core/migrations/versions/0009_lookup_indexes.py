"""indexes for the look-ups that grow with the data

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:30:00
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_access_request_status_created', 'access_request', ['status', 'created_at']),
    ('ix_access_request_email', 'access_request', ['email']),
    ('ix_access_request_keycloak_user', 'access_request', ['keycloak_user_id']),
    ('ix_access_request_customer', 'access_request', ['customer_number']),
    ('ix_access_request_decided_at', 'access_request', ['decided_at']),
    ('ix_audit_event_request', 'audit_event', ['request_id']),
    ('ix_audit_event_action_at', 'audit_event', ['action', 'at']),
    ('ix_customer_manager', 'customer', ['manager_email']),
    ('ix_customer_region', 'customer', ['region']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table)
