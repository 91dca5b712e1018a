"""Loading one row by its key, or answering 404: the first step of every handler that names an object."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from clinic_api.core.errors import NotFound
from clinic_api.extensions import db

M = TypeVar("M")
K = TypeVar("K")
R = TypeVar("R")


def get_or_404(model: type[M], key: Any, label: str, *, for_update: bool = False) -> M:
    """The row of ``model`` with this primary key; ``for_update`` locks it (PostgreSQL) until the commit and
    reads it afresh, even when the session holds it already (the caller's own account, say): what is
    compared after the lock is the row as it is now, not as it was before the wait."""
    found = db.session.get(model, key, with_for_update=for_update or None, populate_existing=for_update)
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
