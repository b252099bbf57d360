"""The map's data: projects with coordinates as a GeoJSON FeatureCollection, and those without.

The pages (/map, the big screen) and the API (``GET /api/v1/map``) build it here, from the same
condition the battle map's filters make and the same warning-light rule, so a pin is the colour
of the project's card on the battle map."""

from tracker.projects import lights
from tracker.projects.models import Project


def placed():
    """The condition of projects that have both coordinates."""
    return Project.latitude.is_null(False) & Project.longitude.is_null(False)


def feature_collection(condition, today, thresholds, link=None):
    """The projects ``condition`` selects that have coordinates, as a GeoJSON FeatureCollection (a dict).

    Each feature's properties: code, name, county, status, light, light_reason and url. ``today`` and
    ``thresholds`` (lights.light_thresholds) judge the lights; ``link(code)`` gives a project's URL
    (None: no links, as on the big screen's display link, whose viewers are not signed in). Coordinates are [longitude, latitude], as GeoJSON orders them.
    ``unplaced`` (a foreign member) counts the projects the condition selects without coordinates.
    """
    rule = lights.warning_rule(today, thresholds)
    query = Project.select(Project, rule.alias("warning_rule")).where(condition & placed()).order_by(Project.code)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [project.longitude, project.latitude]},
            "properties": {
                "code": project.code,
                "name": project.name,
                "county": project.county,
                "status": project.status,
                "light": lights.level_of(project.warning_rule),
                "light_reason": lights.describe(project.warning_rule, project, today),
                "url": link(project.code) if link else None,
            },
        }
        for project in query
    ]
    return {"type": "FeatureCollection", "features": features, "unplaced": unplaced(condition).count()}


def unplaced(condition):
    """The projects ``condition`` selects that lack a coordinate, by code."""
    return (
        Project.select(Project.id, Project.code, Project.name, Project.county)
        .where(condition & ~placed())
        .order_by(Project.code)
    )
