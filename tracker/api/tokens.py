"""The API's own tokens (API 令牌), as on the tokens page: everyone lists, makes and revokes their own; the office
lists and revokes every account's, but makes tokens only for itself (a token acts as the account that made it)."""

from flask import current_app, g
from flask_smorest import abort
from marshmallow import fields, validate

from tracker.accounts.credentials import new_api_token, revoke_tokens, token_validities
from tracker.accounts.models import ApiToken, User
from tracker.api.base import bp, errors, page_of, page_schema
from tracker.api.schemas import PagingSchema, Schema, UtcDateTime, text
from tracker.core.weeks import utc_now
from tracker.web.access import can, visible_tokens
from tracker.web.audit import request_actor
from tracker.web.listing import MAX_ROW_ID


class TokenQuerySchema(PagingSchema):
    user = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ROW_ID, error="user 应为账号的 id"),
        error_messages={"invalid": "user 应为账号的 id"},
        metadata={"description": "只看某个账号的令牌（领导小组办公室）"},
    )


class TokenInSchema(Schema):
    name = text("用途，如“周报同步脚本”", ApiToken.name.max_length, required=True)
    days = fields.Integer(
        strict=True,
        error_messages={"invalid": "有效期应为天数（整数）"},
        metadata={"description": "有效期（天），取令牌页提供的选项之一；默认为 [api] token_days"},
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "用途"})
    prefix = fields.String(metadata={"description": "令牌的前几位，用以区分各个令牌"})
    user = fields.Function(lambda t: t.user.username, metadata={"description": "所属账号的登录名"})
    state = fields.Function(
        lambda t: t.state(utc_now()), metadata={"description": "active（有效）、expired（已过期）、revoked（已吊销）"}
    )
    created_at = UtcDateTime()
    expires_at = UtcDateTime()
    last_used_at = UtcDateTime(allow_none=True)
    last_used_from = fields.String(metadata={"description": "最近一次使用的来源地址"})
    revoked_at = UtcDateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "令牌本身：只在此时出现一次，请立即保存"})


TokenPageSchema = page_schema(TokenSchema)


@bp.get("/tokens")
@bp.arguments(TokenQuerySchema, location="query", error_status_code=400)
@bp.response(200, TokenPageSchema)
@errors(400)
def list_tokens(args):
    """API 令牌：本人的（领导小组办公室：所有账号的，可按账号筛选），最新的在前，分页；从不包含令牌本身"""
    query = visible_tokens(g.api_user)
    account = args.pop("user", None)
    if account is not None and can(g.api_user, "manage_tokens"):
        query = query.where(ApiToken.user == account)
    return page_of(query, args)


@bp.post("/tokens")
@bp.arguments(TokenInSchema)
@bp.response(201, NewTokenSchema)
@errors(400, 422)
def create_token(values):
    """新建本人的 API 令牌：令牌只在这次应答中出现一次；有效期取令牌页提供的选项之一"""
    api = current_app.config["TRACKER"]["api"]
    days = values.get("days", api["token_days"])
    offered = token_validities(api)
    if days not in offered:
        abort(422, message="有效期应为以下天数之一：" + "、".join(map(str, offered)), field="days")
    name = values["name"].strip()
    if not name:
        abort(422, message="请写明令牌的用途，如“周报同步脚本”", field="name")
    user = User.get_by_id(g.api_user.id)
    token, row = new_api_token(user, name, days, request_actor(user))
    row.token = token
    return row


@bp.post("/tokens/<int:token_id>/revoke")
@bp.response(200, TokenSchema)
@errors(404, 409)
def revoke_token(token_id):
    """吊销令牌：本人的（领导小组办公室：任何账号的）；立即失效，仍列为已吊销；看不到的令牌 404，已吊销的 409"""
    token = visible_tokens(g.api_user).where(ApiToken.id == token_id).first()
    if token is None:
        abort(404, message="没有这个令牌")
    if not revoke_tokens(ApiToken.id == token.id, request_actor(), by=g.api_user.id):
        abort(409, message=f"令牌“{token.name}”此前已被吊销")
    return ApiToken.listed().where(ApiToken.id == token.id).get()
