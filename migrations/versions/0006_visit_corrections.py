"""visit corrections: voided drafts, notes, runs and pain scores entered in error, run bounds

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:15:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_VISIT_STATUSES = "status IN ('draft', 'signed')"
NEW_VISIT_STATUSES = "status IN ('draft', 'signed', 'voided')"
OLD_INITIAL_EVALUATION = "visit_type = 'initial_evaluation'"
NEW_INITIAL_EVALUATION = ("visit_type = 'initial_evaluation' AND status <> 'voided' "
                          "AND entered_in_error_at IS NULL")
RUN_BOUNDS = "distance_km > 0 AND duration_min >= 2.5 * distance_km AND duration_min <= 20 * distance_km"
OUT_OF_BOUNDS_REASON = ("Marked by migration 0006: the run falls outside the run bounds it introduced (a distance "
                        "above 0 and a pace between 2:30 and 20:00 min/km).")


def _in_error_columns(batch_op, table):
    batch_op.add_column(sa.Column('entered_in_error_at', sa.DateTime(timezone=True), nullable=True))
    batch_op.add_column(sa.Column('entered_in_error_by', sa.Uuid(), nullable=True))
    batch_op.add_column(sa.Column('entered_in_error_reason', sa.String(length=2000), nullable=True))
    batch_op.create_foreign_key(batch_op.f(f'fk_{table}_entered_in_error_by_users'), 'users',
                                ['entered_in_error_by'], ['id'])


def _drop_in_error_columns(batch_op, table):
    batch_op.drop_constraint('entered_in_error_stamped', type_='check')
    batch_op.drop_constraint(batch_op.f(f'fk_{table}_entered_in_error_by_users'), type_='foreignkey')
    batch_op.drop_column('entered_in_error_reason')
    batch_op.drop_column('entered_in_error_by')
    batch_op.drop_column('entered_in_error_at')


def _initial_evaluation_index(batch_op, where):
    batch_op.create_index('uq_visits_initial_evaluation', ['episode_id'], unique=True,
                          sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voided_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=2000), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visits_voided_by_users'), 'users', ['voided_by'], ['id'])
        _in_error_columns(batch_op, 'visits')
        batch_op.drop_constraint('status', type_='check')
        batch_op.create_check_constraint('status', NEW_VISIT_STATUSES)
        batch_op.create_check_constraint('voided_stamped', "(status = 'voided') = (voided_at IS NOT NULL AND "
                                                           "voided_by IS NOT NULL AND void_reason IS NOT NULL)")
        batch_op.create_check_constraint('entered_in_error_stamped', "entered_in_error_at IS NULL OR (status = "
                                         "'signed' AND entered_in_error_by IS NOT NULL AND "
                                         "entered_in_error_reason IS NOT NULL)")
        batch_op.drop_index('uq_visits_initial_evaluation')
        _initial_evaluation_index(batch_op, NEW_INITIAL_EVALUATION)
    for table in ('pain_scores', 'run_logs'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            _in_error_columns(batch_op, table)
    # Runs stored before the bounds existed and outside them are kept, marked entered in error (by no one:
    # by this migration), so that the CHECK below holds and they leave the weekly totals.
    op.execute(sa.text(f"UPDATE run_logs SET entered_in_error_at = :now, entered_in_error_reason = :reason "
                       f"WHERE NOT ({RUN_BOUNDS})").bindparams(
        sa.bindparam('now', datetime.now(timezone.utc), type_=sa.DateTime(timezone=True)),
        sa.bindparam('reason', OUT_OF_BOUNDS_REASON)))
    for table in ('pain_scores', 'run_logs'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint('entered_in_error_stamped',
                                             "(entered_in_error_at IS NULL) = (entered_in_error_reason IS NULL)")
            if table == 'run_logs':
                batch_op.create_check_constraint('bounds', f"entered_in_error_at IS NOT NULL OR ({RUN_BOUNDS})")


def downgrade():
    # The old schema knows neither marker: runs and pain scores marked entered in error, and notes marked
    # entered in error, come back as plain entries; voided drafts come back as drafts. An episode keeps one
    # initial evaluation: one that no longer counted beside another becomes a follow-up.
    with op.batch_alter_table('run_logs', schema=None) as batch_op:
        batch_op.drop_constraint('bounds', type_='check')
        _drop_in_error_columns(batch_op, 'run_logs')
    with op.batch_alter_table('pain_scores', schema=None) as batch_op:
        _drop_in_error_columns(batch_op, 'pain_scores')
    op.execute(
        "UPDATE visits SET visit_type = 'follow_up' WHERE visit_type = 'initial_evaluation' "
        "AND (status = 'voided' OR entered_in_error_at IS NOT NULL) AND EXISTS (SELECT 1 FROM visits AS other "
        "WHERE other.episode_id = visits.episode_id AND other.visit_type = 'initial_evaluation' "
        "AND other.id <> visits.id AND ((other.status <> 'voided' AND other.entered_in_error_at IS NULL) "
        "OR other.created_at < visits.created_at OR (other.created_at = visits.created_at AND other.id < visits.id)))")
    op.execute("UPDATE visits SET status = 'draft', voided_at = NULL, voided_by = NULL, void_reason = NULL "
               "WHERE status = 'voided'")
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('uq_visits_initial_evaluation')
        _initial_evaluation_index(batch_op, OLD_INITIAL_EVALUATION)
        batch_op.drop_constraint('voided_stamped', type_='check')
        batch_op.drop_constraint('status', type_='check')
        batch_op.create_check_constraint('status', OLD_VISIT_STATUSES)
        batch_op.drop_constraint(batch_op.f('fk_visits_voided_by_users'), type_='foreignkey')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_by')
        batch_op.drop_column('voided_at')
        _drop_in_error_columns(batch_op, 'visits')
