"""现场照片: the photos attached to a weekly report, with what their EXIF says and what was found off."""

import json

from peewee import CharField, DateTimeField, FloatField, ForeignKeyField, IntegerField, TextField

from tracker.accounts.models import User
from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now
from tracker.projects.models import ProgressReport, Project


class Photo(BaseModel):
    """One image attached to a weekly report; its files live under ``[photos] directory``.

    ``taken_at`` is the EXIF DateTimeOriginal read as the city's local time, stored as naive UTC like
    every timestamp. ``flags`` holds what the checks found when it was attached: a JSON list of
    {"code", "message"}, the message saying by how much (so a later change of the project's
    coordinates or of the limits does not rewrite what the owner was told).
    """

    report = ForeignKeyField(ProgressReport, backref="photos", on_delete="CASCADE")
    # sha256 of the uploaded bytes: the same photo sent twice to one report is stored once.
    content_hash = CharField(max_length=64)
    # Relative to [photos] directory: the file as uploaded (EXIF kept, for those who may see the project),
    # its thumbnail and its public copy (both re-encoded without any EXIF).
    original_path = CharField()
    thumbnail_path = CharField()
    public_path = CharField()
    size = IntegerField()
    taken_at = DateTimeField(null=True)
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    distance_km = FloatField(null=True)
    flags_json = TextField(default="[]")
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    uploaded_at = DateTimeField(default=utc_now)

    class Meta:
        indexes = ((("report", "content_hash"), True),)

    @property
    def flags(self):
        """[{"code", "message"}] of what is off: outside_week, too_far, no_time, no_place."""
        return json.loads(self.flags_json)

    @property
    def project(self):
        """The project the photo's report is of (for the access rules, which reach objects by their project)."""
        return self.report.project

    @classmethod
    def of_reports(cls, reports):
        """{report id: [photos, oldest first]} of ``reports`` (ids or rows), in one query."""
        by_report = {}
        for photo in cls.select().where(cls.report.in_(reports)).order_by(cls.id):
            by_report.setdefault(photo.report_id, []).append(photo)
        return by_report

    @classmethod
    def latest_of_project(cls, project, count):
        """The ``count`` latest photos of ``project``'s reports, newest week first, with their reports."""
        query = cls.select(cls, ProgressReport).join(ProgressReport).where(ProgressReport.project == project)
        return list(query.order_by(ProgressReport.week.desc(), cls.id.desc()).limit(count))

    @classmethod
    def with_project(cls, photo_id):
        """The photo ``photo_id`` with its report and project joined, or None."""
        query = cls.select(cls, ProgressReport, Project).join(ProgressReport).join(Project)
        return query.where(cls.id == photo_id).first()
