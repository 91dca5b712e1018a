"""Loading one row by its key, or answering 404: the first step of every handler that names an object."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import bindparam, inspect, select

from clinic_api.core.errors import NotFound
from clinic_api.extensions import db

M = TypeVar("M")
K = TypeVar("K")
R = TypeVar("R")


# The statement that loads a model's row by its key, built once per model (and once more to lock it): Session.get
# builds and hashes a new one on every call, which costs as much again as loading the row.
_BY_KEY: dict[tuple[type[Any], bool], Any] = {}


def _by_key(model: type[Any], for_update: bool) -> Any:
    statement = _BY_KEY.get((model, for_update))
    if statement is None:
        (key_column,) = inspect(model).primary_key
        statement = select(model).where(key_column == bindparam("key"))
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        statement = _BY_KEY.setdefault((model, for_update), statement)
    return statement


def get_or_404(model: type[M], key: Any, label: str, *, for_update: bool = False) -> M:
    """The row of ``model`` with this primary key; ``for_update`` locks it (PostgreSQL) until the commit and
    reads it afresh, even when the session holds it already (the caller's own account, say): what is
    compared after the lock is the row as it is now, not as it was before the wait. Without a lock, an object
    the session holds already is answered without a statement, as Session.get does."""
    if not for_update and db.session.identity_key(model, key) in db.session.identity_map:
        found = db.session.get(model, key)
    else:
        found = db.session.execute(_by_key(model, for_update), {"key": key}).scalar_one_or_none()
    if found is None:
        raise NotFound(label)
    return found


def grouped(rows: Iterable[R], keys: Iterable[K], key: Callable[[R], K]) -> dict[K, list[R]]:
    """The rows under each of ``keys`` (an empty list for a key without any), in the order given: what one
    query fetched for a page of objects, handed back object by object."""
    found: dict[K, list[R]] = {each: [] for each in keys}
    for row in rows:
        found[key(row)].append(row)
    return found
