"""The questionnaire engine: pure logic on the JSON definition format of ``GET /questionnaires/{code}``.

No Flask, no database, no marshmallow: the standard library only, so that the rules can be read and
tested on their own. The definition schema (``DefinitionIn``) checks each object's shape, calling the
item types' and scoring methods' own checks; :func:`validate_definition` then checks what a schema
cannot (references between items, conditions and rules, the reachable range), and
:func:`score_response` checks and scores every response. The HTTP layer turns
:class:`DefinitionErrors` and :class:`AnswerErrors` into 422 problem details.

Modules, by concern: :mod:`.numbers` (exact arithmetic, half-up rounding), :mod:`.conditions` (the
condition language), :mod:`.items` (one class per item type), :mod:`.methods` (one class per scoring
method), :mod:`.definitions` (checks across a definition), :mod:`.responses` (answers and scores).
Change from baseline and the MCID belong to the outcome layer (``clinic_api.outcomes.arithmetic``).
"""

from clinic_api.questionnaires.engine.conditions import (
    COMPARISONS,
    CONTEXT_KEYS,
    CONTEXT_OPERATORS,
    GROUPS,
    ITEM_OPERATORS,
    MAX_CONDITION_DEPTH,
)
from clinic_api.questionnaires.engine.conditions import evaluate as evaluate_condition
from clinic_api.questionnaires.engine.definitions import validate_definition
from clinic_api.questionnaires.engine.errors import AnswerErrors, DefinitionErrors, Errors
from clinic_api.questionnaires.engine.items import ITEM_TYPES, ItemType
from clinic_api.questionnaires.engine.methods import SCORED_METHODS, SCORING_METHODS, ScoringMethod
from clinic_api.questionnaires.engine.numbers import MAX_PRECISION
from clinic_api.questionnaires.engine.responses import RedFlag, ScoreResult, score_response

__all__ = [
    "COMPARISONS",
    "CONTEXT_KEYS",
    "CONTEXT_OPERATORS",
    "GROUPS",
    "ITEM_OPERATORS",
    "ITEM_TYPES",
    "MAX_CONDITION_DEPTH",
    "MAX_PRECISION",
    "SCORED_METHODS",
    "SCORING_METHODS",
    "AnswerErrors",
    "DefinitionErrors",
    "Errors",
    "ItemType",
    "RedFlag",
    "ScoreResult",
    "ScoringMethod",
    "evaluate_condition",
    "score_response",
    "validate_definition",
]
