"""The demo city's 现场照片: three of the demo owner's reports carry photos, one for each thing the checks tell.

The photos are drawn here (a building site: sky, ground, a tower going up, a crane) and carry
the EXIF a phone writes (time taken, GPS position), so the checks read them as they read real ones:
one taken on site in its report's week, one taken 20 km away, one three weeks old.
"""

import datetime as dt
import io

from PIL import Image, ImageDraw

from tracker.accounts.models import User
from tracker.audit.log import Actor
from tracker.core.db import db
from tracker.core.weeks import week_monday
from tracker.photos.attaching import attach_photos, read_uploads
from tracker.photos.exif import KM_PER_DEGREE, phone_exif
from tracker.projects.models import ProgressReport, Project

# Where the demo owner's sites are: around the city centre, a few kilometres apart.
CITY_CENTRE = (34.2658, 108.9541)
# (days after the week's Monday the photo was taken, km north of the site it was taken at)
STORIES = ((2, 0.2), (3, 20.0), (-19, 0.4))


def write_photos(config, owner_username):
    """Photos on the demo owner's latest reports, one story each; their projects are placed on the map."""
    owner = User.get(User.username == owner_username)
    reports = (
        ProgressReport.select(ProgressReport, Project)
        .join(Project)
        .where(Project.owner == owner)
        .order_by(ProgressReport.week.desc(), Project.code)
        .limit(len(STORIES))
    )
    sites = {}
    for n, (report, (day, km)) in enumerate(zip(reports, STORIES, strict=False)):
        project = report.project
        if project.id not in sites:
            sites[project.id] = (CITY_CENTRE[0] + 0.03 * len(sites), CITY_CENTRE[1] - 0.04 * len(sites))
            Project.update(latitude=sites[project.id][0], longitude=sites[project.id][1]).where(
                Project.id == project.id
            ).execute()
        project.latitude, project.longitude = site = sites[project.id]
        taken = dt.datetime.combine(week_monday(report.week) + dt.timedelta(days=day), dt.time(10, 30))
        photo = site_photo(taken, (site[0] + km / KM_PER_DEGREE, site[1]), storeys=3 + 2 * n)
        uploads = read_uploads([(f"IMG_{taken:%Y%m%d}_{n + 1}.jpg", photo)], config)
        with db.atomic():
            attach_photos(report, uploads, owner, config, actor=Actor(owner.label, owner.id))


def site_photo(taken, place, storeys):
    """A JPEG of a building site, with the EXIF of a phone: taken at ``taken`` (local time) at ``place``."""
    image = Image.new("RGB", (800, 600), (150, 195, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 430, 800, 600), fill=(150, 120, 85))
    top = 430 - 38 * storeys
    draw.rectangle((300, top, 520, 430), fill=(185, 185, 180), outline=(90, 90, 90), width=3)
    for floor in range(storeys):
        y = 430 - 38 * (floor + 1)
        draw.line((300, y, 520, y), fill=(110, 110, 110), width=2)
    draw.line((600, 430, 600, top - 60), fill=(240, 180, 20), width=10)
    draw.line((420, top - 60, 760, top - 60), fill=(240, 180, 20), width=8)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=phone_exif(taken, place))
    return out.getvalue()
