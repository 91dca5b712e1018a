from __future__ import annotations

import uuid

from flask import g, request
from flask.views import MethodView

from clinic_api.auth import service
from clinic_api.auth.schemas import LoginIn, PasswordChangeIn, TokenOut, UserIn, UserOut, UserPatch, UserQuery
from clinic_api.core.access import ADMIN, STAFF, current_user, public
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, page_of

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Staff accounts and sessions.")


@blp.route("/auth/login", methods=["POST"])
@public
@blp.doc(security=[])
@blp.arguments(LoginIn)
@blp.response(200, TokenOut)
@blp.alt_response(401, schema=ProblemSchema, description="Wrong email or password, or inactive account.")
@blp.alt_response(429, schema=ProblemSchema, description="Too many failed logins; see Retry-After.")
def login(credentials):
    """Exchange an email and password for a bearer token"""
    return service.login(credentials["email"], credentials["password"], request.remote_addr or "unknown")


@blp.route("/auth/logout", methods=["POST"])
@blp.roles(*STAFF)
@blp.response(204)
def logout():
    """Revoke the token of this request"""
    service.logout(g.access_token)


@blp.route("/auth/me")
@blp.roles(*STAFF)
@blp.response(200, UserOut)
def me():
    """The caller's own account"""
    return current_user()


@blp.route("/auth/password", methods=["POST"])
@blp.roles(*STAFF)
@blp.arguments(PasswordChangeIn)
@blp.response(200, TokenOut)
def change_password(change):
    """Change your own password: every token is revoked and a new one is issued"""
    return service.change_own_password(current_user(), change["current_password"], change["new_password"])


@blp.route("/users")
class Users(MethodView):
    @blp.roles(ADMIN)
    @blp.arguments(UserQuery, location="query")
    @blp.response(200, page_of(UserOut))
    def get(self, args):
        """Staff accounts"""
        return service.list_users(**args)

    @blp.roles(ADMIN)
    @blp.arguments(UserIn)
    @blp.created(UserOut, "auth.UserItem", user_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description="The email is taken.")
    def post(self, fields):
        """Create a staff account"""
        return service.create_user(**fields)


@blp.route("/users/<uuid:user_id>")
@blp.etag
class UserItem(MethodView):
    @blp.roles(ADMIN)
    @blp.response(200, UserOut)
    def get(self, user_id: uuid.UUID):
        """One staff account"""
        return service.get_user(user_id)

    @blp.roles(ADMIN)
    @blp.arguments(UserPatch)
    @blp.response(200, UserOut)
    @blp.alt_response(409, schema=ProblemSchema, description="The last active admin cannot be removed.")
    def patch(self, changes, user_id: uuid.UUID):
        """Change a staff account; a new password or deactivation revokes its tokens"""
        user = service.lock_user(user_id)  # locked, then compared: one winner
        blp.check_etag(user, UserOut)
        return service.update_user(user, changes)
