"""One check of a definition document, the same for ``POST /questionnaires`` and the built-in instruments.

The schema (``DefinitionIn``) checks the shape of each object, the engine what a schema cannot (the
references inside the definition, the reachable range). The data files of the built-ins, in the
``definitions/`` folder beside this module, pass through here in the tests exactly as a clinic's own
instrument does on ``POST``, so a rule is enforced once and for every definition alike.
"""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from clinic_api.core.errors import flatten_messages
from clinic_api.questionnaires.engine import DefinitionErrors, validate_definition
from clinic_api.questionnaires.schemas import DefinitionIn


def check_definition(document: Any) -> dict[str, Any]:
    """The definition as it is stored, or :class:`DefinitionErrors` naming each field at fault.

    The schema comes first and the engine only sees a definition that has its shape, as on ``POST``
    (where the route has loaded the body before the service calls this again with the version set).
    """
    try:
        definition: dict[str, Any] = DefinitionIn().load(document)
    except ValidationError as error:
        raise DefinitionErrors(flatten_messages(error.messages)) from error
    validate_definition(definition)
    return definition
