"""What a photo's EXIF says about when and where it was taken, and how far that is from the project.

Pillow reads the EXIF of JPEG, PNG and WebP alike (``getexif``); the time is the Exif IFD's
DateTimeOriginal, the place the GPS IFD's latitude and longitude (WGS-84, as phones write them).
"""

import datetime as dt
import math
import zoneinfo

from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

DATE_TIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
EARTH_RADIUS_KM = 6371.0088
# A degree of latitude on that sphere: along a meridian the great-circle distance is the latitude's.
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def read(image, timezone):
    """(taken at as naive UTC, (latitude, longitude)) of an opened image; None for what its EXIF does not say."""
    try:
        exif = image.getexif()
    except (OSError, ValueError, SyntaxError):
        # EXIF so broken Pillow cannot parse it says nothing: the photo is flagged for that, not refused.
        return None, None
    return taken_at(exif, timezone), place(exif)


def taken_at(exif, timezone):
    """When the photo was taken, as naive UTC, or None.

    A camera writes DateTimeOriginal in its own wall-clock time without a zone; a phone in the
    city is on the city's time, so that is how it is read unless OffsetTimeOriginal says otherwise.
    """
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    text = _text(ifd.get(DATE_TIME_ORIGINAL))
    try:
        moment = dt.datetime.strptime(text, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = _offset(_text(ifd.get(OFFSET_TIME_ORIGINAL)))
    moment = moment.replace(tzinfo=offset or zoneinfo.ZoneInfo(timezone))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _text(value):
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _offset(text):
    """The zone of an EXIF offset like "+08:00", or None."""
    try:
        moment = dt.datetime.strptime(text, "%z") if text else None
    except ValueError:
        return None
    return moment and moment.tzinfo


def place(exif):
    """(latitude, longitude) in degrees from the GPS IFD, or None when missing or not a place on Earth."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        latitude = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
        longitude = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
        return None
    return latitude, longitude


def _degrees(value, ref, negative):
    """Degrees from EXIF's (degrees, minutes, seconds) rationals; south and west are negative."""
    degrees, minutes, seconds = (float(part) for part in value)
    sign = -1 if _text(ref).upper() == negative else 1
    return sign * (degrees + minutes / 60 + seconds / 3600)


def distance_km(a, b):
    """The great-circle distance between two (latitude, longitude) points, in kilometres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def phone_exif(taken=None, place=None, orientation=None):
    """The EXIF a phone writes: ``taken`` (naive, its wall-clock time) at ``place``; for the demo's and tests' photos."""
    exif = Image.Exif()
    if taken is not None:
        exif[ExifTags.IFD.Exif] = {DATE_TIME_ORIGINAL: taken.strftime("%Y:%m:%d %H:%M:%S")}
    if place is not None:
        latitude, longitude = place
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N" if latitude >= 0 else "S",
            ExifTags.GPS.GPSLatitude: _dms(abs(latitude)),
            ExifTags.GPS.GPSLongitudeRef: "E" if longitude >= 0 else "W",
            ExifTags.GPS.GPSLongitude: _dms(abs(longitude)),
        }
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def _dms(degrees):
    """Degrees as EXIF writes them: whole degrees, whole minutes, seconds to a ten-thousandth (3 mm)."""
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = (degrees - whole - minutes / 60) * 3600
    return IFDRational(whole, 1), IFDRational(minutes, 1), IFDRational(round(seconds * 10000), 10000)
