"""``flask --app wsgi outcomes ...``: the kept outcome summaries from the command line."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from clinic_api.core.sql import long_statements
from clinic_api.extensions import db
from clinic_api.outcomes import summaries

outcomes_cli = AppGroup("outcomes", help="The kept outcome summaries.")


def _commit_batch() -> None:
    db.session.commit()
    db.session.expunge_all()


@outcomes_cli.command("rebuild")
@click.option("--batch-size", default=summaries.BATCH, show_default=True, type=click.IntRange(min=1))
def rebuild(batch_size: int) -> None:
    """Work every episode's summaries out again from its records (run once after upgrading past 0009)."""
    long_statements(db.session, local=False)
    started = time.perf_counter()
    done = summaries.rebuild(batch_size, after_batch=_commit_batch)
    db.session.commit()
    click.echo(f"Recomputed {done.episodes} episodes and {done.measures} measures "
               f"in {time.perf_counter() - started:.2f} s.")
