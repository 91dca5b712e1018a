"""outcome summaries: each episode's measures and return to running, kept for the clinic report

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:05:00

The tables are created empty: a revision imports no app code, so it cannot work outcomes out. The summaries of
the episodes written before this revision are made by ``flask --app wsgi outcomes rebuild`` (run it once after
upgrading past 0009); from then on every write keeps them current.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('episode_outcome_summaries',
    sa.Column('episode_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('body_region', sa.String(length=20), nullable=False),
    sa.Column('diagnosis_code', sa.String(length=8), nullable=True),
    sa.Column('therapist_id', sa.Uuid(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('discharge_date', sa.Date(), nullable=True),
    sa.Column('visits_count', sa.Integer(), nullable=False),
    sa.Column('days_in_care', sa.Integer(), nullable=True),
    sa.Column('has_pre_injury_distance', sa.Boolean(), nullable=False),
    sa.Column('returned_to_run', sa.Boolean(), nullable=True),
    sa.Column('return_week_start', sa.Date(), nullable=True),
    sa.Column('weeks_to_return', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes_of_care.id'], name=op.f('fk_episode_outcome_summaries_episode_id_episodes_of_care')),
    sa.ForeignKeyConstraint(['therapist_id'], ['users.id'], name=op.f('fk_episode_outcome_summaries_therapist_id_users')),
    sa.PrimaryKeyConstraint('episode_id', name=op.f('pk_episode_outcome_summaries'))
    )
    with op.batch_alter_table('episode_outcome_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_episode_outcome_summaries_diagnosis_code', ['diagnosis_code'], unique=False)
        batch_op.create_index('ix_episode_outcome_summaries_discharge_date', ['discharge_date'], unique=False)
        batch_op.create_index('ix_episode_outcome_summaries_start_date', ['start_date'], unique=False)
        batch_op.create_index('ix_episode_outcome_summaries_status', ['status'], unique=False)
        batch_op.create_index('ix_episode_outcome_summaries_therapist_id', ['therapist_id'], unique=False)

    op.create_table('outcome_summaries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('episode_id', sa.Uuid(), nullable=False),
    sa.Column('measure_key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('questionnaire_code', sa.String(length=40), nullable=True),
    sa.Column('headline', sa.Boolean(), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('baseline_value', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('baseline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('baseline_source', sa.Uuid(), nullable=True),
    sa.Column('latest_value', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('latest_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('latest_source', sa.Uuid(), nullable=True),
    sa.Column('change', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('percent_change', sa.Numeric(precision=9, scale=1), nullable=True),
    sa.Column('mcid_reached', sa.Boolean(), nullable=True),
    sa.Column('first_mcid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('days_to_mcid', sa.Integer(), nullable=True),
    sa.Column('visits_to_mcid', sa.Integer(), nullable=True),
    sa.Column('scores_count', sa.Integer(), nullable=False),
    sa.Column('follow_ups_count', sa.Integer(), nullable=False),
    sa.Column('last_follow_up_value', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes_of_care.id'], name=op.f('fk_outcome_summaries_episode_id_episodes_of_care')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_summaries')),
    sa.UniqueConstraint('episode_id', 'measure_key', name='uq_outcome_summaries_episode_measure')
    )
    with op.batch_alter_table('outcome_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_summaries_measure_key', ['measure_key'], unique=False)


def downgrade():
    with op.batch_alter_table('outcome_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_outcome_summaries_measure_key')
    op.drop_table('outcome_summaries')
    with op.batch_alter_table('episode_outcome_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_episode_outcome_summaries_therapist_id')
        batch_op.drop_index('ix_episode_outcome_summaries_status')
        batch_op.drop_index('ix_episode_outcome_summaries_start_date')
        batch_op.drop_index('ix_episode_outcome_summaries_discharge_date')
        batch_op.drop_index('ix_episode_outcome_summaries_diagnosis_code')
    op.drop_table('episode_outcome_summaries')
