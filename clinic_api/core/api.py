"""flask-smorest, made to speak problem details and to state each endpoint's roles in one decorator."""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from functools import wraps
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Response, current_app, request, url_for
from flask_smorest.etag import _get_etag_ctx
from flask_smorest.utils import get_appcontext
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import PreconditionRequired
from werkzeug.routing import PathConverter, UnicodeConverter

from clinic_api.core.access import current_user, ensure_role
from clinic_api.core.errors import (
    PROBLEM_JSON,
    DomainError,
    MalformedBody,
    RuleViolation,
    UnsupportedMediaType,
    concurrent_change_problem,
    database_unavailable,
    domain_error_to_problem,
    http_exception_to_problem,
    is_unique_violation,
    unexpected_error_to_problem,
    unstorable_value,
)
from clinic_api.core.schemas import ProblemSchema, unreadable_strings
from clinic_api.extensions import db

log = logging.getLogger(__name__)


class ClinicApi(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema
    # No catch-all "default" answer: each operation documents every status it answers (a client, or a contract
    # check such as schemathesis' status_code_conformance, can then tell an undocumented one).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self) -> None:
        """flask-smorest's shared error responses, documented with the media type we send."""
        super()._register_responses()
        for name, response in self.spec.components.responses_lazy.items():
            content = response.get("content", {})
            if "application/json" in content and (name == "DEFAULT_ERROR" or HTTPStatus[name] >= 400):
                content[PROBLEM_JSON] = content.pop("application/json")

    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()
        self._app.register_error_handler(DomainError, domain_error_to_problem)
        self._app.register_error_handler(OperationalError, database_unavailable)
        self._app.register_error_handler(IntegrityError, integrity_conflict)
        self._app.register_error_handler(DataError, unstorable_value)
        self._app.register_error_handler(Exception, unexpected_error_to_problem)

    def handle_http_exception(self, error):
        return http_exception_to_problem(error)


def integrity_conflict(error: IntegrityError):
    # A unique slot taken by a request running at the same time is a conflict to retry; any other
    # constraint failing means a rule the service missed: a bug, logged as such.
    return concurrent_change_problem() if is_unique_violation(error) else unexpected_error_to_problem(error)


class PrintableSegment(UnicodeConverter):
    """A path segment without control characters: ``/questionnaires/%00`` names nothing (404) and never
    reaches the database, which refuses NUL."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any):
        super().__init__(map, *args, **kwargs)
        self.regex = "[^/\\x00-\\x1f\\x7f-\\x9f]" + self.regex.removeprefix("[^/]")


class PrintablePath(PathConverter):
    regex = "[^/\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*?"


def install_converters(app: Any) -> None:
    """Before any route is added: path parameters refuse control characters."""
    app.url_map.converters.update(default=PrintableSegment, string=PrintableSegment, path=PrintablePath)


class StrictParser(FlaskParser):
    # Unknown query parameters are errors too (a misspelt filter must not silently return everything);
    # headers and cookies still carry much that is not ours.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req):
        if not is_json_request(req) and req.get_data(cache=True):
            # A body the API cannot read is refused, not ignored (a PATCH would otherwise answer 200 unchanged).
            raise UnsupportedMediaType("Send the body as application/json.")
        try:
            body = super()._raw_load_json(req)
        except RecursionError:  # a few kilobytes of [[[[... exhaust the decoder's recursion
            raise MalformedBody("The JSON body is nested too deeply.") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise  # webargs answers these itself (malformed JSON, 400)
        except ValueError:  # Python refuses integer literals of more than 4300 digits
            raise MalformedBody("The JSON body holds a number too long to read.") from None
        bad = unreadable_strings(body)
        if bad:
            raise RuleViolation.many(bad)
        return body


def takes_json_body(doc: Mapping[str, Any]) -> bool:
    return any(parameter["in"] == "json" for parameter in doc.get("arguments", {}).get("parameters", []))


def refuse_a_body() -> None:
    """A write that takes no body refuses one, field by field, as a schema refuses unknown fields: a caller who
    sends ``signed_by`` to ``/sign`` must not believe it was taken. No body, or ``{}``, is fine."""
    body = request.get_json(silent=True)
    if body in (None, {}):
        return
    raise RuleViolation.many({str(name): ["Unknown field."] for name in body} if isinstance(body, dict)
                             else {"_schema": ["This operation takes no body."]})


def _body_tag(body: bytes) -> str:
    return hashlib.sha1(body, usedforsecurity=False).hexdigest()


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()
    # If-Match guards changes of content (PATCH); archiving with DELETE is idempotent and needs none.
    METHODS_NEEDING_CHECK_ETAG = ["PUT", "PATCH"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._bodyless: set[tuple[str, str]] = set()  # (endpoint, method) of the writes that take no body

    def response(self, status_code: Any, schema: Any = None, **kwargs: Any) -> Callable[..., Any]:
        """A write's answer is the stored representation: the session is flushed before the dump, so
        columns set on write (``updated_at``) are what a GET right after would show, ETag included."""
        documented = super().response(status_code, schema, **kwargs)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def stored(*args: Any, **kwargs: Any) -> Any:
                result = view(*args, **kwargs)
                if request.method not in ("GET", "HEAD"):
                    db.session.flush()
                return result

            return documented(stored)

        return decorator

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Callable[..., Any]:
        """A JSON body documents the answers to a body the API cannot read, beside the 422 of one it refuses."""
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            documented = parse(view)
            for status, description in ((400, "Malformed JSON (or nested too deeply, or a number too long to read)."),
                                        (413, "The body is larger than MAX_CONTENT_LENGTH."),
                                        (415, "The body is not application/json.")):
                documented = self.alt_response(status, schema=ProblemSchema, description=description)(documented)
            return documented

        return decorator

    # The ETag is the SHA-1 of the JSON body itself: an answer is serialised once, not once for the body and again
    # for its tag (flask-smorest hashes its own second serialisation). check_etag (If-Match) and representation
    # serialise the dump as the body would be, so the tags agree.
    @staticmethod
    def _generate_etag(etag_data: Any, extra_data: Any = None) -> str:
        if extra_data:
            etag_data = (etag_data, extra_data)
        return _body_tag(current_app.json.response(etag_data).get_data())

    def _set_etag_in_response(self, response: Response) -> None:
        if (request.method in self.METHODS_ALLOWING_SET_ETAG and _get_etag_ctx().get("etag") is None
                and "result_dump" in get_appcontext() and not response.is_streamed
                and not any(name in self.ETAG_INCLUDE_HEADERS for name, _ in response.headers)):
            etag = _body_tag(response.get_data())  # the body flask-smorest made of result_dump
            self._check_not_modified(etag)
            response.set_etag(etag)
            return
        super()._set_etag_in_response(response)

    def representation(self, schema: Any, obj: Any) -> tuple[bytes, str]:
        """The body and the ETag that ``@blp.response(200, schema)`` under ``@blp.etag`` answer for ``obj``, built
        once for an object that never changes (a released questionnaire version) and answered by ``prebuilt``."""
        body = current_app.json.response(schema.dump(obj)).get_data()
        return body, _body_tag(body)

    def prebuilt(self, body: bytes, etag: str) -> Response:
        """A view's answer from a ``representation``: 200 with the body, or 304 without one when ``If-None-Match``
        names the ETag (both carry it)."""
        _get_etag_ctx()["etag"] = etag  # what blp.etag sets on the answer
        if etag in request.if_none_match:
            return Response(status=304)
        return Response(body, mimetype=current_app.json.mimetype)

    def _check_precondition(self) -> None:
        """The If-Match presence is checked with its value, in ``check_etag``, after the object is found:
        a write answers 401, 403, 422 (the body's form), 404, 428/412, then 409/422 (the rules)."""

    def check_etag(self, etag_data: Any, etag_schema: Any = None) -> None:
        if not request.if_match:
            raise PreconditionRequired
        super().check_etag(etag_data, etag_schema)

    def _verify_check_etag(self) -> None:
        if request.method in self.METHODS_NEEDING_CHECK_ETAG and not _get_etag_ctx().get("etag_checked"):
            raise RuntimeError(f"{request.endpoint} changes an object without checking its ETag")

    def alt_response(self, status_code: Any, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        """Error answers are documented as problem details, the media type they are sent with."""
        if str(status_code).isdigit() and int(status_code) >= 400 and "response_ref" not in kwargs:
            kwargs.setdefault("content_type", PROBLEM_JSON)
        return super().alt_response(status_code, *args, **kwargs)

    def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: Any = None,
                     provide_automatic_options: bool | None = None, **options: Any) -> None:
        """Every route documents the 503 it answers while the database is down, one that names an object in its
        path the 404 it answers for an unknown one, and a write that takes no body the 422 it answers to one."""
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)
        answers = {503: "The database is unavailable; retry shortly (see Retry-After)."}
        if "<" in rule:
            answers[404] = "No such object (an unknown id or code in the path)."
        for method, doc in self._docs[self._endpoints[-1]].items():
            if method == "parameters":
                continue
            documented = doc.setdefault("response", {}).setdefault("responses", {})
            own = dict(answers)
            if method != "get" and not takes_json_body(doc):
                self._bodyless.add((self._endpoints[-1], method.upper()))
                if 422 not in documented:
                    own[422] = "A body sent: this operation takes none (each field is named in `errors`)."
            for status, description in own.items():
                documented.setdefault(status, []).append(
                    {"schema": ProblemSchema(), "description": description, "content_type": PROBLEM_JSON})

    def created(self, schema: Any, endpoint: str, description: str | None = None,
                **location: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A view that creates: answers 201 with the object as ``schema`` dumps it (or, for a mapping of role to
        schema, as the caller's role's schema does), its ``Location`` and the ``ETag`` a GET of that location
        returns. ``location`` maps the endpoint's URL parameters to attributes of the created object, e.g.
        ``patient_id="id"``."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def located(*args: Any, **kwargs: Any) -> Any:
                record = view(*args, **kwargs)
                url = url_for(endpoint, **{param: record[attr] if isinstance(record, Mapping) else getattr(record, attr)
                                           for param, attr in location.items()})
                return record, 201, {"Location": url}

            headers = {"Location": {"description": "The URL of the created object.", "schema": {"type": "string"}}}
            if isinstance(schema, Mapping):  # role to schema, as response_by_role takes them
                return self.etag(self.response_by_role(201, schema, description, headers=headers)(located))
            return self.etag(self.response(201, schema, description=description, headers=headers)(located))

        return decorator

    def response_by_role(self, status: int, schemas: Mapping[str, Any], description: str | None = None,
                         **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """One answer whose representation depends on the caller's role (``schemas``: role to schema),
        documented as ``anyOf`` the distinct schemas (a fuller one may satisfy a narrower one's fields).
        The choice is made here, once, not in a schema."""
        instances = {role: schema() for role, schema in schemas.items()}

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def dumped(*args: Any, **view_kwargs: Any) -> Any:
                result = view(*args, **view_kwargs)
                if request.method not in ("GET", "HEAD"):
                    db.session.flush()  # the stored representation, as ``response`` dumps it
                schema = instances[current_user().role]
                if isinstance(result, tuple):  # (object, status, headers), as ``created`` returns
                    return (schema.dump(result[0]), *result[1:])
                return schema.dump(result)

            documented = self.response(status, description=description, **kwargs)(dumped)
            distinct = list({type(schema): schema for schema in instances.values()})
            documented._apidoc["response"]["responses"][status][-1]["schema"] = {"anyOf": distinct}
            return documented

        return decorator

    def roles(self, *roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Allow only these roles; documents the bearer requirement and the 401/403 answers."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                ensure_role(*roles)
                if (request.endpoint.rpartition(".")[2], request.method) in self._bodyless:
                    refuse_a_body()
                return view(*args, **kwargs)

            guarded = self.doc(**{"x-roles": list(roles)})(guarded)
            guarded = self.alt_response(401, schema=ProblemSchema, description="No valid bearer token.")(guarded)
            return self.alt_response(403, schema=ProblemSchema, description="Role not allowed: needs one of "
                                     + ", ".join(roles) + ".")(guarded)

        return decorator

