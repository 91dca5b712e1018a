"""episodes entered in error, post-discharge follow-up responses

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('active', 'discharged')"
NEW_STATUSES = "status IN ('active', 'discharged', 'entered_in_error')"


def upgrade():
    with op.batch_alter_table('episodes_of_care', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_in_error_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('entered_in_error_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('entered_in_error_reason', sa.String(length=2000), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_episodes_of_care_entered_in_error_by_users'), 'users',
                                    ['entered_in_error_by'], ['id'])
        batch_op.drop_constraint('status', type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.create_check_constraint('status', NEW_STATUSES)
        batch_op.create_check_constraint('entered_in_error_stamped',
                                         "(status = 'entered_in_error') = (entered_in_error_at IS NOT NULL)")
    with op.batch_alter_table('questionnaire_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('questionnaire_responses', schema=None) as batch_op:
        batch_op.alter_column('follow_up', server_default=None)


def downgrade():
    with op.batch_alter_table('questionnaire_responses', schema=None) as batch_op:
        batch_op.drop_column('follow_up')
    with op.batch_alter_table('episodes_of_care', schema=None) as batch_op:
        batch_op.drop_constraint('entered_in_error_stamped', type_='check')
        batch_op.drop_constraint('status', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_episodes_of_care_entered_in_error_by_users'), type_='foreignkey')
        batch_op.drop_column('entered_in_error_reason')
        batch_op.drop_column('entered_in_error_by')
        batch_op.drop_column('entered_in_error_at')
    # The old schema knows no such state: an episode entered in error comes back as an active one.
    op.execute("UPDATE episodes_of_care SET status = 'active' WHERE status = 'entered_in_error'")
    with op.batch_alter_table('episodes_of_care', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=12),
                              existing_nullable=False)
        batch_op.create_check_constraint('status', OLD_STATUSES)
