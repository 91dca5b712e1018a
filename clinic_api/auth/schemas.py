from __future__ import annotations

from marshmallow import fields, validate

from clinic_api.auth.passwords import MAX_LENGTH
from clinic_api.core.access import ROLES
from clinic_api.core.schemas import Email, PageArgs, Schema, Text


class UserOut(Schema):
    id = fields.UUID()
    email = fields.String()
    full_name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    active = fields.Boolean()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class LoginIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_at = fields.AwareDateTime(metadata={"description": "Absolute expiry; idle_timeout_seconds "
                                                               "without a call ends the session earlier."})
    idle_timeout_seconds = fields.Integer()
    user = fields.Nested(UserOut)


class PasswordChangeIn(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class UserIn(Schema):
    email = Email(required=True, validate=validate.Length(max=254))
    full_name = Text(required=True, max_length=120)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=MAX_LENGTH))
    active = fields.Boolean(load_default=True)


class UserPatch(Schema):
    email = Email(validate=validate.Length(max=254))
    full_name = Text(max_length=120)
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=validate.Length(min=1, max=MAX_LENGTH),
                             metadata={"description": "A new password; revokes the user's tokens."})


class UserQuery(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
