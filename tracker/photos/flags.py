"""Flagging a photo whose time or place is off for its report: never a refusal, a note with the amount."""

import datetime as dt
import zoneinfo

from tracker.core.weeks import week_monday
from tracker.photos.exif import distance_km

# The flags, in the order shown, with what each means (README, "Progress photos").
FLAGS = {
    "outside_week": "不是本周拍摄",
    "too_far": "不在项目现场",
    "no_time": "没有拍摄时间",
    "no_place": "没有拍摄位置",
}


def judge(taken_at, place, week, project, config):
    """(distance to the project in km or None, [{"code", "message"}]) for a photo of ``week``'s report.

    ``taken_at`` is naive UTC (or None), ``place`` (latitude, longitude) or None. The week runs
    from its Monday 00:00 to its Sunday 24:00 in the city's time; the distance may reach
    ``[photos] max_distance_km`` and no farther. A project without coordinates has no distance.
    """
    flags = []
    if taken_at is None:
        flags.append(_flag("no_time", "照片没有拍摄时间（EXIF），无法核对是否本周拍摄"))
    elif message := _outside_week(taken_at, week, config["city"]["timezone"]):
        flags.append(_flag("outside_week", message))
    distance = None
    if place is None:
        flags.append(_flag("no_place", "照片没有拍摄位置（GPS），无法核对是否在项目现场拍摄"))
    elif project.latitude is not None and project.longitude is not None:
        distance = distance_km(place, (project.latitude, project.longitude))
        limit = config["photos"]["max_distance_km"]
        if distance > limit:
            # Just past the limit, one decimal would read as the limit itself ("3.0 公里，超过 3 公里").
            shown = f"{distance:.1f}" if round(distance, 1) > limit else f"{distance:.2f}"
            flags.append(_flag("too_far", f"距项目 {shown} 公里，超过 {limit:g} 公里"))
    return distance, flags


def _flag(code, message):
    return {"code": code, "message": message}


def _outside_week(taken_at, week, timezone):
    """What is wrong with a photo's date for ``week``, or None when it was taken within the week."""
    day = taken_at.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(timezone)).date()
    monday = week_monday(week)
    sunday = monday + dt.timedelta(days=6)
    if day < monday:
        return f"拍摄于 {day}，早于本周 {(monday - day).days} 天"
    if day > sunday:
        return f"拍摄于 {day}，晚于本周 {(day - sunday).days} 天"
    return None
