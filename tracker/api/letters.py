"""The API's letters and visits (来信来访): the ledger with the seed's counts, one letter with its events,
and the unit's reply; the same reach as the pages, and who wrote only for the office and the inspector."""

from flask import g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors, overdue_flag, page_of, page_schema, reachable
from tracker.api.schemas import MAX_NAME, PagingSchema, Schema, ZuluDateTime, choice, list_day, text
from tracker.letters.handling import LetterError, ledger, reply_to_letter
from tracker.letters.models import (
    CHANNELS,
    EVENT_KINDS,
    LETTER_LEVELS,
    LETTER_STATES,
    UNIT_KINDS,
    Letter,
    LetterEvent,
    letter_counts,
)
from tracker.web.access import can, refuse, visible_letters
from tracker.web.listing import today

REFUSALS = {
    "see_letters": "只有领导小组办公室、纪委监委和承办的部门、县区可以查看来信来访",
    "see": "只能查看转交本部门或本县区的信访件",
    "answer_letter": "只有承办的部门或县区可以答复信访件",
}


def _described(choices):
    return "、".join(f"{k}（{v}）" for k, v in choices.items())


class LetterQuerySchema(PagingSchema):
    level = choice("来源级别", LETTER_LEVELS)
    status = choice("状态", LETTER_STATES)
    unit = text("承办单位", MAX_NAME)
    overdue = overdue_flag("只看未答复且已过办结时限的信访件")
    date = list_day(metadata={"description": "统计（counts）的日期，默认今天；此后的变化不影响该日的数字"})


class LetterReplyInSchema(Schema):
    text = text("答复内容", required=True)


class LetterEventSchema(Schema):
    at = ZuluDateTime(metadata={"description": "时间（UTC）"})
    kind = fields.String(metadata={"description": _described(EVENT_KINDS)})
    user = fields.Function(lambda e: e.user.label if e.user else None, metadata={"description": "经办人"})
    text = fields.String()
    status = fields.String(metadata={"description": "此后的状态"})
    unit = fields.String(metadata={"description": "此后的承办单位"})
    deadline = fields.Date(metadata={"description": "此后的办结时限"})


class LetterSchema(Schema):
    id = fields.Integer()
    level = fields.String(metadata={"description": _described(LETTER_LEVELS)})
    channel = fields.String(metadata={"description": _described(CHANNELS)})
    received_on = fields.Date(metadata={"description": "收到日期"})
    transferred_on = fields.Date(metadata={"description": "转办日期"})
    summary = fields.String(metadata={"description": "信访事项摘要"})
    complainant_name = fields.String(metadata={"description": "信访人：仅领导小组办公室和纪委监委的令牌可见"})
    complainant_phone = fields.String(metadata={"description": "联系电话：仅领导小组办公室和纪委监委的令牌可见"})
    unit_kind = fields.String(metadata={"description": _described(UNIT_KINDS)})
    unit = fields.String(metadata={"description": "承办单位"})
    person_in_charge = fields.String(metadata={"description": "承办专人"})
    deadline = fields.Date(metadata={"description": "办结时限"})
    status = fields.String(metadata={"description": _described(LETTER_STATES)})
    reply = fields.String(metadata={"description": "答复内容"})
    replied_on = fields.Date(allow_none=True, metadata={"description": "答复日期"})


class LetterDetailSchema(LetterSchema):
    events = fields.List(
        fields.Nested(LetterEventSchema), metadata={"description": "登记转办、答复、催办、办结、回头看"}
    )


class LetterCountsSchema(Schema):
    total = fields.Integer(metadata={"description": "共收到"})
    by_level = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "按来源级别"})
    closed = fields.Integer(metadata={"description": "已答复办结"})
    overdue = fields.Integer(metadata={"description": "逾期未答复"})


LetterPageSchema = page_schema(
    LetterSchema, counts=fields.Nested(LetterCountsSchema, metadata={"description": "date 那天的统计，在可见范围内"})
)

PROTECTED = ("complainant_name", "complainant_phone")


def _row(letter):
    """The letter's fields as the API user may read them: who wrote only for those who may see it."""
    shown = LetterSchema._declared_fields
    if not can(g.api_user, "see_complainant"):
        shown = {name: field for name, field in shown.items() if name not in PROTECTED}
    return {name: getattr(letter, name) for name in shown}


def _detail(letter):
    return {**_row(Letter.get_by_id(letter.id)), "events": list(LetterEvent.of(letter))}


def _letter(letter_id, action="see"):
    """The letter if the API user may take ``action`` on it: 404 if there is none, else 403."""
    if not can(g.api_user, "see_letters"):
        refuse("see_letters", REFUSALS["see_letters"])
    letter = visible_letters(g.api_user).where(Letter.id == letter_id).first()
    exists = letter is not None or Letter.get_or_none(Letter.id == letter_id) is not None
    return reachable(letter, exists, action, REFUSALS, "信访件不存在")


@bp.get("/letters")
@bp.arguments(LetterQuerySchema, location="query", error_status_code=400)
@bp.response(200, LetterPageSchema)
@errors(400, 403)
def list_letters(args):
    """来信来访台账：可按来源级别、状态、承办单位和是否逾期筛选，未答复的在前，分页；附 date（默认今天）那天的统计（共收到、按级别、已答复办结、逾期）。

    部门和县区只看到转交本单位的信访件，且不含信访人；领导和项目责任人无权查看（403）。
    """
    if not can(g.api_user, "see_letters"):
        refuse("see_letters", REFUSALS["see_letters"])
    paging = {key: args.pop(key) for key in ("page", "per_page")}
    day = args.pop("date", None) or today()
    visible = visible_letters(g.api_user)
    page = page_of(ledger(visible, args, today()), paging)
    return {**page, "items": [_row(letter) for letter in page["items"]], "counts": letter_counts(day, visible)}


@bp.get("/letters/<int:letter_id>")
@bp.response(200, LetterDetailSchema)
@errors(403, 404)
def show_letter(letter_id):
    """一件信访件：基本情况和每次登记转办、答复、催办、办结、回头看的记录"""
    return _detail(_letter(letter_id))


@bp.post("/letters/<int:letter_id>/reply")
@bp.arguments(LetterReplyInSchema)
@bp.response(200, LetterDetailSchema)
@errors(400, 403, 404, 409, 422)
def reply_to(values, letter_id):
    """答复信访件（承办的部门或县区）；已答复或已办结的不能再答复（409）"""
    letter = _letter(letter_id, "answer_letter")
    if not values["text"].strip():
        abort(422, message="请填写答复内容", field="text")
    try:
        reply_to_letter(letter, g.api_user, values["text"], today())
    except LetterError as e:
        abort(409, message=str(e))
    return _detail(letter)
