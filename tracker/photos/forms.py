"""The photo field: the phone opens its camera (capture) and may send several at once."""

from flask_wtf import FlaskForm
from wtforms import MultipleFileField

PHOTO_INPUT = {"accept": "image/*", "capture": "environment"}


def photo_field():
    """A file input for a report's photos; optional, as a report may be filed without any."""
    return MultipleFileField("现场照片（可多张，手机上可直接拍照）", render_kw=PHOTO_INPUT)


class PhotosForm(FlaskForm):
    """Photos added to a report already filed."""

    photos = photo_field()


def chosen_files(field):
    """[(name, bytes)] of the files chosen in ``field``; a browser sends an empty part when none was chosen."""
    return [(f.filename, f.read()) for f in field.data or () if f and f.filename]
