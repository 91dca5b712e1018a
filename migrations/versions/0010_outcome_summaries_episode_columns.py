"""the episode's filter columns on each outcome summary row: the report reads outcome_summaries alone

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 13:10:00

Each ``outcome_summaries`` row gets its episode's status, body region, diagnosis code, therapist and start and
discharge dates (the clinic report's filters), filled here from ``episodes_of_care`` in SQL, then made NOT NULL
where the episode's are; with the indexes of the report's filtered reads. From then on ``summaries.refresh``
writes them with the rest of the row.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = ('status', 'body_region', 'diagnosis_code', 'therapist_id', 'start_date', 'discharge_date')
INDEXES = (('ix_outcome_summaries_diagnosis_code', ['diagnosis_code']),
           ('ix_outcome_summaries_status_discharge_date', ['status', 'discharge_date']),
           ('ix_outcome_summaries_status_start_date', ['status', 'start_date']),
           ('ix_outcome_summaries_therapist_id', ['therapist_id']))


def upgrade():
    with op.batch_alter_table('outcome_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('body_region', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('diagnosis_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('therapist_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('discharge_date', sa.Date(), nullable=True))
    # The same episode's values (a correlated subquery: the same SQL on SQLite and PostgreSQL).
    op.execute('UPDATE outcome_summaries SET ' + ', '.join(
        f'{name} = (SELECT episodes_of_care.{name} FROM episodes_of_care '
        f'WHERE episodes_of_care.id = outcome_summaries.episode_id)' for name in COLUMNS))
    with op.batch_alter_table('outcome_summaries', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('body_region', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('start_date', existing_type=sa.Date(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_outcome_summaries_therapist_id_users'), 'users',
                                    ['therapist_id'], ['id'])
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('outcome_summaries', schema=None) as batch_op:
        for name, _columns in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_constraint(batch_op.f('fk_outcome_summaries_therapist_id_users'), type_='foreignkey')
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
