"""Photos as a phone writes them, for the tests: real JPEG (PNG, WebP, GIF) bytes with EXIF time, GPS and orientation."""

import datetime as dt
import io

from PIL import Image

from tracker.photos.exif import KM_PER_DEGREE, phone_exif

# The project's site in the photo tests; the photos are placed around it.
SITE = (34.2583, 108.9286)
# Monday 2026-11-02 to Sunday 2026-11-08.
WEEK = "2026-W45"
MONDAY = dt.datetime(2026, 11, 2)


def camera_photo(taken=None, place=None, size=(80, 60), orientation=None, fmt="JPEG", color=(90, 120, 150)):
    """The bytes of an image whose EXIF says ``taken`` (a naive local datetime) at ``place`` (latitude, longitude)."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, exif=phone_exif(taken, place, orientation))
    return out.getvalue()


def north_of(place, km):
    """The point ``km`` due north of ``place``."""
    return place[0] + km / KM_PER_DEGREE, place[1]
