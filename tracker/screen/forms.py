"""The form that makes a display link."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.screen.models import DisplayLink

NAME_LENGTH = DisplayLink.name.max_length


class DisplayLinkForm(FlaskForm):
    name = StringField(
        "显示屏名称",
        filters=[lambda text: text.strip() if text else text],
        validators=[
            DataRequired("请写明这块屏在哪里，如“三楼会议室”"),
            Length(max=NAME_LENGTH, message=f"名称不超过 {NAME_LENGTH} 个字"),
        ],
        render_kw={"maxlength": NAME_LENGTH, "placeholder": "如：三楼会议室"},
    )
