"""The engine's two refusals and the way it gathers messages.

Both carry ``errors``: a mapping of dotted paths (a definition's ``items.3.options.1.points``) or item
ids (a response's answers) to messages, so that the HTTP layer can answer one 422 naming every field
at fault instead of one problem per round trip.
"""

from __future__ import annotations

from collections.abc import Iterable

Errors = dict[str, list[str]]


class AnswerErrors(Exception):
    """Answers that cannot be accepted; ``errors`` maps item ids (or ``"answers"``) to messages."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"{len(errors)} invalid answer(s): {', '.join(errors)}")
        self.errors = errors


class DefinitionErrors(Exception):
    """A definition that cannot be stored; ``errors`` maps dotted paths to messages."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"{len(errors)} problem(s) in the definition: {', '.join(errors)}")
        self.errors = errors


class Collector:
    """Messages by path, each message once: one mistake reached by two checks is reported once."""

    def __init__(self) -> None:
        self.errors: Errors = {}

    def add(self, path: str, message: str) -> None:
        messages = self.errors.setdefault(path, [])
        if message not in messages:
            messages.append(message)

    def merge(self, prefix: str, errors: Errors) -> None:
        """Add the errors of a part (an item, a rule) under the part's own path."""
        for path, messages in errors.items():
            for message in messages:
                self.add(join_path(prefix, path), message)

    def __bool__(self) -> bool:
        return bool(self.errors)


def join_path(*parts: object) -> str:
    return ".".join(str(part) for part in parts if part != "")


def spoken_list(words: Iterable[str]) -> str:
    """``a, b and c``: messages name the allowed kinds from the registries, so a new kind is named too."""
    names = list(words)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
