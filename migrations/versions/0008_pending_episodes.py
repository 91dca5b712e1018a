"""pending episodes: opened by the front desk for the intake, before the diagnosis

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STATUSES = "status IN ('active', 'discharged', 'entered_in_error')"
WITH_PENDING = "status IN ('pending', 'active', 'discharged', 'entered_in_error')"
DIAGNOSED = ("status = 'pending' OR status = 'entered_in_error' OR "
             "(diagnosis_code IS NOT NULL AND diagnosis_text IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('episodes_of_care', schema=None) as batch_op:
        batch_op.alter_column('diagnosis_code', existing_type=sa.String(length=8), nullable=True)
        batch_op.alter_column('diagnosis_text', existing_type=sa.String(length=200), nullable=True)
        batch_op.drop_constraint('status', type_='check')
        batch_op.create_check_constraint('status', WITH_PENDING)
        batch_op.create_check_constraint('diagnosed', DIAGNOSED)


def downgrade():
    # The old schema knows no pending episode: one without a diagnosis is marked entered in error, kept.
    op.execute("UPDATE episodes_of_care SET status = 'entered_in_error', entered_in_error_at = CURRENT_TIMESTAMP, "
               "entered_in_error_reason = 'pending when migration 0008 was undone', "
               "diagnosis_code = COALESCE(diagnosis_code, 'R69'), "
               "diagnosis_text = COALESCE(diagnosis_text, 'Not yet diagnosed') WHERE status = 'pending'")
    with op.batch_alter_table('episodes_of_care', schema=None) as batch_op:
        batch_op.drop_constraint('diagnosed', type_='check')
        batch_op.drop_constraint('status', type_='check')
        batch_op.create_check_constraint('status', STATUSES)
        batch_op.alter_column('diagnosis_text', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('diagnosis_code', existing_type=sa.String(length=8), nullable=False)
