"""The forms of the managed lists' page: a name to add or rename to, and the entry to merge into."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired

from tracker.lists.editing import MAX_NAME


class EntryNameForm(FlaskForm):
    """A new entry's name, or an entry's new name."""

    name = StringField("名称", validators=[DataRequired("请填写名称")], render_kw={"maxlength": MAX_NAME})


class MergeForm(FlaskForm):
    """The entry whose name the merged one's uses take; the view fills in the choices (ids as text)."""

    into = SelectField(
        "并入", validators=[DataRequired("请选择要并入的一项")], invalid_choice_message="请选择名单中的一项"
    )
