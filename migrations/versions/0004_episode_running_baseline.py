"""the running baseline kept on the episode

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:45:00

Existing episodes take the running profile's weekly distance as it is now: the value an old
discharged episode was judged against is not knowable, and the profile's is the best estimate.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('episodes_of_care', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pre_injury_weekly_km', sa.Numeric(precision=5, scale=1), nullable=True))
        batch_op.create_check_constraint(
            'pre_injury_weekly_km',
            'pre_injury_weekly_km IS NULL OR (pre_injury_weekly_km >= 0 AND pre_injury_weekly_km <= 400)')
    op.execute("UPDATE episodes_of_care SET pre_injury_weekly_km = "
               "(SELECT weekly_distance_km FROM patients WHERE patients.id = episodes_of_care.patient_id)")


def downgrade():
    with op.batch_alter_table('episodes_of_care', schema=None) as batch_op:
        batch_op.drop_constraint('pre_injury_weekly_km', type_='check')
        batch_op.drop_column('pre_injury_weekly_km')
