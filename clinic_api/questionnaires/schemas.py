"""The definition format of api.md as marshmallow schemas (structure, and the OpenAPI document); the
engine's ``validate_definition`` then checks what a schema cannot (ids referenced, reachable range)."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, pre_dump, validate

from clinic_api.core.schemas import Instant, PageArgs, Schema, Text
from clinic_api.questionnaires.models import SOURCES

ITEM_TYPES = ("choice", "integer", "decimal", "text", "boolean", "date")
SCORING_METHODS = ("sum", "mean", "transformed_mean", "single_item", "none")


class Number(fields.Field):
    """An int or float kept as given (bool is not a number here)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ValidationError("Must be a number.")
        if abs(value) > 1e9:
            raise ValidationError("Must be between -1e9 and 1e9.")
        return value


class Condition(fields.Dict):
    """A condition of the definition's small language (item/context comparisons, all/any/not)."""

    def __init__(self, **kwargs: Any):
        super().__init__(keys=fields.String(), **kwargs)


class OptionSchema(Schema):
    code = Text(required=True, max_length=40)
    text = Text(required=True, max_length=500)
    points = Number(required=True, allow_none=True)


class ItemSchema(Schema):
    id = Text(required=True, max_length=64)
    text = Text(required=True, max_length=1000)
    type = fields.String(required=True, validate=validate.OneOf(ITEM_TYPES))
    required = fields.Boolean(required=True)
    options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(max=50))
    min = Number()
    max = Number()
    max_length = fields.Integer(validate=validate.Range(min=1, max=20000))
    enable_when = Condition()


class TransformSchema(Schema):
    offset = Number(required=True)
    factor = Number(required=True)


class SubscaleSchema(Schema):
    code = Text(required=True, max_length=40)
    title = Text(required=True, max_length=200)
    method = fields.String(required=True, validate=validate.OneOf(SCORING_METHODS))
    items = fields.List(Text(max_length=64), required=True)
    precision = fields.Integer(allow_none=True, load_default=0, validate=validate.Range(min=0, max=4))
    transform = fields.Nested(TransformSchema)
    min_answered = fields.Integer(allow_none=True, validate=validate.Range(min=1))


class ScoringSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(SCORING_METHODS))
    items = fields.List(Text(max_length=64), required=True)
    precision = fields.Integer(allow_none=True, load_default=0, validate=validate.Range(min=0, max=4),
                               metadata={"description": "Decimals of the total (sums 0, means 1)."})
    min_answered = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1),
                                  metadata={"description": "Fewest answered items to score; null: all required."})
    transform = fields.Nested(TransformSchema)
    subscales = fields.List(fields.Nested(SubscaleSchema), load_default=list)


class RangeSchema(Schema):
    min = Number(required=True)
    max = Number(required=True)


class McidSchema(Schema):
    points = Number(allow_none=True, load_default=None)
    percent = Number(allow_none=True, load_default=None,
                     metadata={"description": "Improvement as a percent of baseline that also counts (NPRS 30)."})
    source = Text(required=True, max_length=1000)


class RedFlagRuleSchema(Schema):
    code = Text(required=True, max_length=40)
    title = Text(required=True, max_length=200)
    message = Text(required=True, max_length=1000)
    when = Condition(required=True)


class DefinitionIn(Schema):
    code = Text(required=True, max_length=40)
    version = fields.Integer(validate=validate.Range(min=1, max=10_000),
                             metadata={"description": "Defaults to the next version of the code (1 for a new one)."})
    title = Text(required=True, max_length=200)
    description = Text(max_length=5000, load_default="", allow_blank=True, multiline=True)
    citation = Text(max_length=1000, allow_none=True, load_default=None)
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=200))
    scoring = fields.Nested(ScoringSchema, required=True)
    range = fields.Nested(RangeSchema, allow_none=True, load_default=None)
    higher_is_better = fields.Boolean(allow_none=True, load_default=None)
    mcid = fields.Nested(McidSchema, allow_none=True, load_default=None)
    red_flags = fields.List(fields.Nested(RedFlagRuleSchema), load_default=list)
    loinc = Text(max_length=10, allow_none=True, load_default=None)


class DefinitionOut(DefinitionIn):
    builtin = fields.Boolean()
    created_at = fields.AwareDateTime()


class QuestionnaireSummary(Schema):
    code = fields.String()
    version = fields.Integer()
    title = fields.String()
    higher_is_better = fields.Function(lambda questionnaire: questionnaire.definition.get("higher_is_better"),
                                       metadata={"type": "boolean", "nullable": True})
    builtin = fields.Boolean()
    created_at = fields.AwareDateTime()


class QuestionnaireQuery(PageArgs):
    pass


class ResponseIn(Schema):
    questionnaire = Text(required=True, max_length=40, metadata={"description": "The instrument's code."})
    version = fields.Integer(validate=validate.Range(min=1, max=10_000),
                             metadata={"description": "Defaults to the latest version."})
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), required=True,
                          metadata={"description": "Item id → the option code (choice), number, text, "
                                                   "boolean or YYYY-MM-DD date."})
    taken_at = Instant(metadata={"description": "When the patient answered; defaults to now."})
    source = fields.String(load_default="staff", validate=validate.OneOf(SOURCES),
                           metadata={"description": "patient: filled in by the patient; staff: entered by staff."})
    replaces = fields.UUID(metadata={"description": "A response of this episode that this one corrects."})
    follow_up = fields.Boolean(metadata={"description": "A measure taken after the discharge (up to "
                                                        "FOLLOW_UP_WINDOW_DAYS after it). A correction "
                                                        "keeps the replaced response's value by default."})


class RedFlagReviewOut(Schema):
    """A raised red flag and whether (by whom, when) a therapist has reviewed it: what the front desk sees."""

    id = fields.UUID()
    code = fields.String()
    title = fields.String()
    message = fields.String()
    response_id = fields.UUID()
    raised_at = fields.AwareDateTime()
    state = fields.Function(lambda flag: "open" if flag.acknowledged_at is None else "acknowledged",
                            metadata={"enum": ["open", "acknowledged"]})
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    acknowledged_by = fields.UUID(allow_none=True)


class RedFlagOut(RedFlagReviewOut):
    """A red flag with the therapist's note of what was done about it."""

    acknowledgement_note = fields.String(allow_none=True)


class RaisedFlagOut(Schema):
    code = fields.String()
    title = fields.String()
    message = fields.String()


class ScoreOut(Schema):
    total = fields.Decimal(allow_none=True, as_string=False)
    subscales = fields.Dict(keys=fields.String(), values=fields.Decimal(allow_none=True, as_string=False))
    min = fields.Decimal(allow_none=True, as_string=False)
    max = fields.Decimal(allow_none=True, as_string=False)
    higher_is_better = fields.Boolean(allow_none=True)
    missing_items = fields.List(fields.String())


class _Scored:
    """A response with its score beside it, for dumping."""

    def __init__(self, response: Any, score: dict[str, Any] | None):
        self._response, self.score = response, score

    def __getattr__(self, name: str) -> Any:
        return getattr(self._response, name)


class ResponseOut(Schema):
    id = fields.UUID()
    episode_id = fields.UUID()
    questionnaire = fields.String(attribute="questionnaire_code")
    version = fields.Integer(attribute="questionnaire_version")
    answers = fields.Dict()
    taken_at = fields.AwareDateTime()
    source = fields.String()
    entered_by = fields.UUID()
    score = fields.Nested(ScoreOut, allow_none=True,
                          metadata={"description": "Null for an instrument that is not scored (the intake form)."})
    red_flags = fields.List(fields.Nested(RaisedFlagOut))
    replaces = fields.UUID(attribute="replaces_id", allow_none=True)
    follow_up = fields.Boolean()
    replaced = fields.Function(lambda response: response.replaced_at is not None)
    replaced_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()

    @pre_dump(pass_collection=False)
    def with_score(self, response: Any, **kwargs: Any) -> Any:
        """The score from the stored columns and the definition's range; none for an unscored instrument."""
        definition = response.questionnaire.definition
        declared = definition.get("range") or {}
        score = None if definition["scoring"]["method"] == "none" else {
            "total": response.total, "subscales": response.subscales, "min": declared.get("min"),
            "max": declared.get("max"), "higher_is_better": definition.get("higher_is_better"),
            "missing_items": response.missing_items}
        return _Scored(response, score)


class ResponseQuery(PageArgs):
    questionnaire = Text(max_length=40)
    include_replaced = fields.Boolean(load_default=False)
