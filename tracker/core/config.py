"""Read config.toml, apply environment overrides, validate every key.

The result is a plain nested dict (``config["web"]["port"]``). Every key has a
default here, so a config file only states what a deployment changes; a key
that is unknown or of the wrong type stops start-up with a message naming it."""

import datetime as dt
import os
import re
import tomllib
import zoneinfo
from copy import deepcopy
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


TIME = r"([01]\d|2[0-3]):[0-5]\d"


# China's Cybersecurity Law (网络安全法, art. 21) has network logs kept at least six months.
MIN_AUDIT_KEEP_DAYS = 180


# The restart rate's four ways (figures.restart_rates); [dashboard] lead_rate names the one shown big.
LEAD_RATES = ("restart_rate", "restart_rate_planned", "start_rate_new", "restart_rate_continuing")

# An absolute http(s) address of RFC 3986's characters only, as OC4IDS's "uri" format wants it.
URI = r"https?://[A-Za-z0-9.-]+(:\d+)?([/?#][A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*)?"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


DEFAULTS = {
    "database": {"url": "sqlite:///data/tracker.db"},
    "web": {
        "secret_key": "",
        "secret_key_file": "data/secret_key",
        "host": "127.0.0.1",
        "port": 5000,
        "workers": 2,
        "timeout_seconds": 120,
        "https": False,
        "proxies": 0,
        "max_upload_mb": 10,
        "login_rate_limit": "5 per minute",
        "session_idle_minutes": 120,
        "session_max_hours": 12,
        "api_rate_limit": "600 per minute",
        "rate_limit_storage": "memory://",
        "base_url": "http://127.0.0.1:5000",
    },
    "api": {"token_days": 90, "token_max_days": 365},
    "city": {"name": "X市", "timezone": "Asia/Shanghai"},
    "reporting": {"day": "friday", "cutoff": "monday 09:00", "reminders": ["friday 09:00", "sunday 18:00"]},
    "warnings": {
        "yellow_days_before_deadline": 15,
        "red_days_before_deadline": 5,
        "yellow_days_before_milestone": 15,
        "red_days_before_milestone": 5,
        "yellow_behind_percent": 10,
        "red_behind_percent": 25,
    },
    "lagging": {
        "behind_percent": 25,
        "milestone_grace_days": 0,
        "missing_weeks": 2,
        "stale_weeks": 3,
        "overdue_days": 0,
    },
    # 专项债资金闲置: issued money of which idle_share or more is unspent idle_days after its issue.
    "bonds": {"idle_days": 90, "idle_share": 0.8},
    "problems": {"default_days": 30},
    "letters": {"reply_days": 15},
    "statistics_inclusion": {"threshold": 500.0, "yellow_months": 1, "red_months": 2},
    "review": {"enabled": False},
    "honours": {
        "red_flag_count": 5,
        "snail_count": 5,
        "red_flag_min_points": 0.0,
        "red_flag_weight_point": 1.0,
        "red_flag_weight_milestone": 2.0,
        "snail_min_points": 0.0,
        "snail_weight_point": 1.0,
        "snail_weight_milestone": 5.0,
        "snail_weight_report": 2.0,
        "snail_weight_overdue": 5.0,
    },
    "scores": {
        "red_flag": 0.5,
        "snail": -0.3,
        "problem_overdue": -0.1,
        "order_overdue": -0.2,
        "report_missing": -0.05,
        "decision_overdue": -0.1,
    },
    "imports": {"dir": "data/imports"},
    "photos": {"max_mb": 8, "max_per_report": 9, "max_distance_km": 3.0, "directory": "data/photos"},
    "notices": {
        "issuer": "X市重点项目建设领导小组办公室",
        "number_prefix": "X重项办",
        "preamble": "为压实项目推进责任，根据重点项目周调度、月会商情况，现将推进不力、解决问题拖延、进度计划滞后的项目通报如下。",
        "rectification": (
            "（一）被通报项目的项目单位要对照通报问题逐项查找原因，制定整改措施，明确责任人和完成时限，"
            "于{deadline}前将整改情况书面报送{issuer}。\n"
            "（二）各包抓部门和县区要切实履行包抓责任，督促项目单位加快推进，协调解决项目建设中的困难和问题，"
            "对整改情况跟踪问效。\n"
            "（三）{issuer}将对整改落实情况跟踪督办；整改不力、进度仍然滞后的项目，提请市纪委监委依规依纪问责。"
        ),
        "rectification_days": 10,
        "copy_to": ["市委办公室", "市人大常委会办公室", "市政府办公室", "市政协办公室", "市纪委监委"],
    },
    "milestones": {
        "approval": 120,
        "land": 90,
        "planning": 75,
        "environment": 60,
        "construction_permit": 20,
    },
    "scheduler": {
        "weekly": "monday 09:00",
        "monthly": "09:00",
        "quarterly": "09:00",
        "holidays": [],
        "catch_up": True,
        "reconcile_minutes": 5,
        "lease_minutes": 15,
        "misfire_grace_minutes": 60,
    },
    "charts": {"restart_rate_target": 0.0, "font_file": ""},
    # 招商引资: funds in place must grow this many per cent over the same period a year before.
    "promotion": {"funds_growth_target": 15.0},
    "dashboard": {"lead_rate": "restart_rate"},
    "map": {
        "tile_url": "",
        "tile_subdomains": "abc",
        "tile_attribution": "",
        "center": [34.3, 108.95],
        "zoom": 9,
        "outline_geojson": "",
    },
    "audit": {"keep_days": 365},
    # OC4IDS project ids are the publisher's registered prefix, a hyphen and the project's code.
    "oc4ids": {"id_prefix": "oc4ids-xxxxxx", "license": "", "publication_policy": ""},
    "mail": {
        "backend": "outbox",
        "outbox_dir": "data/outbox",
        "sender": "重点项目办公室 <tracker@localhost>",
        "host": "localhost",
        "port": 25,
        "username": "",
        "password": "",
        "starttls": False,
        "timeout_seconds": 30,
        "max_attempts": 6,
        "retry_seconds": 60,
        "lease_seconds": 300,
    },
    # The channels beside email. Robots are tables of their own ([channels.wecom.<name>]); each names the
    # kinds of message it receives. A *_per_minute of 0 means no limit.
    "channels": {
        "timeout_seconds": 10,
        "window_seconds": 60,
        "email_per_minute": 0,
        "wecom_per_minute": 20,
        "dingtalk_per_minute": 20,
        "sms_per_minute": 5,
        "wecom": {},
        "dingtalk": {},
        "sms": {},
    },
}


# The messages a group robot can receive (the outbox's kinds that concern a group, not one person).
ROBOT_KINDS = ("reminder", "office_summary", "consultation", "analysis")

# What each robot and the SMS gateway may say, with the defaults of what is left out.
ROBOT_DEFAULTS = {"webhook": "", "secret": "", "kinds": [], "per_minute": -1}
SMS_DEFAULTS = {
    "url": "",
    "method": "POST",
    "headers": {},
    "body": "",
    "body_format": "json",
    "success_field": "",
    "success_value": "",
    "message_field": "",
}


PATH_KEYS = (
    ("web", "secret_key_file"),
    ("mail", "outbox_dir"),
    ("imports", "dir"),
    ("map", "outline_geojson"),
    ("photos", "directory"),
)


class ConfigError(Exception):
    """A config value is missing, unknown or invalid; the message names the key."""


def load_config(path=None, overrides=None):
    """Return the validated configuration.

    ``path`` defaults to $TRACKER_CONFIG, then ``config.toml`` at the project
    root; ``overrides`` (a nested dict) wins over file and environment, which
    is how tests point the app at a temporary database.
    """
    path = Path(path or os.environ.get("TRACKER_CONFIG") or PROJECT_ROOT / "config.toml")
    config = deepcopy(DEFAULTS)
    if path.exists():
        try:
            with open(path, "rb") as f:
                _merge(config, tomllib.load(f), source=str(path))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: {e}") from e
    elif "TRACKER_CONFIG" in os.environ:
        raise ConfigError(f"TRACKER_CONFIG names {path}, which does not exist")
    _merge(config, _environment_overrides(), source="environment")
    _merge(config, overrides or {}, source="overrides")
    _validate(config)
    _resolve_paths(config, path.parent)
    return config


def _merge(config, values, source):
    for section, items in values.items():
        if section not in DEFAULTS:
            raise ConfigError(f"{source}: unknown section [{section}]")
        if not isinstance(items, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        for key, value in items.items():
            if key not in DEFAULTS[section]:
                raise ConfigError(f"{source}: unknown key [{section}] {key}")
            expected = type(DEFAULTS[section][key])
            if isinstance(value, str) and expected is not str:
                value = _parse_env_value(value, expected, f"[{section}] {key}")
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if expected is int and isinstance(value, bool) or not isinstance(value, expected):
                raise ConfigError(f"{source}: [{section}] {key} must be {expected.__name__}, got {value!r}")
            config[section][key] = value


def _environment_overrides():
    values = {}
    for section, keys in DEFAULTS.items():
        for key in keys:
            name = f"TRACKER_{section}_{key}".upper()
            if name in os.environ:
                values.setdefault(section, {})[key] = os.environ[name]
    return values


def _parse_env_value(text, expected, key):
    if expected is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
    elif expected in (int, float):
        try:
            return expected(text)
        except ValueError:
            pass
    elif expected is list:
        return [item.strip() for item in text.split(",") if item.strip()]
    raise ConfigError(f"{key} must be {expected.__name__}, got {text!r}")


def _validate(config):
    url = config["database"]["url"]
    if not re.match(r"^(sqlite|postgres(ql)?(\+pool)?)://", url):
        raise ConfigError(f"[database] url must start with sqlite:// or postgresql://, got {url!r}")
    try:
        zoneinfo.ZoneInfo(config["city"]["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(f"[city] timezone: unknown time zone {config['city']['timezone']!r}") from e
    if config["reporting"]["day"] not in WEEKDAYS:
        raise ConfigError(f"[reporting] day must be one of {', '.join(WEEKDAYS)}")
    if not re.fullmatch(rf"({'|'.join(WEEKDAYS)}) {TIME}", config["reporting"]["cutoff"]):
        raise ConfigError('[reporting] cutoff must look like "monday 09:00"')
    for reminder in config["reporting"]["reminders"]:
        # A weekday of the reporting week itself: the cut-off falls in the following week, so every
        # reminder goes while the week can still be filed.
        if not re.fullmatch(rf"({'|'.join(WEEKDAYS)}) {TIME}", str(reminder)):
            raise ConfigError(f'[reporting] reminders: {reminder!r} must look like "friday 09:00"')
    if config["mail"]["backend"] not in ("outbox", "smtp"):
        raise ConfigError('[mail] backend must be "outbox" or "smtp"')
    for section, key in (
        ("web", "port"),
        ("web", "workers"),
        ("web", "timeout_seconds"),
        ("web", "max_upload_mb"),
        ("web", "session_idle_minutes"),
        ("web", "session_max_hours"),
        ("mail", "port"),
        ("problems", "default_days"),
        ("letters", "reply_days"),
        ("photos", "max_mb"),
        ("photos", "max_per_report"),
    ):
        if config[section][key] < 1:
            raise ConfigError(f"[{section}] {key} must be at least 1")
    warnings = config["warnings"]
    if not 0 <= warnings["yellow_behind_percent"] <= warnings["red_behind_percent"] <= 100:
        raise ConfigError("[warnings] need 0 <= yellow_behind_percent <= red_behind_percent <= 100")
    for item in ("deadline", "milestone"):
        if not 0 <= warnings[f"red_days_before_{item}"] <= warnings[f"yellow_days_before_{item}"]:
            raise ConfigError(f"[warnings] need 0 <= red_days_before_{item} <= yellow_days_before_{item}")
    if config["dashboard"]["lead_rate"] not in LEAD_RATES:
        raise ConfigError(
            f"[dashboard] lead_rate must be one of {', '.join(LEAD_RATES)}, got {config['dashboard']['lead_rate']!r}"
        )
    lagging = config["lagging"]
    if not 0 <= lagging["behind_percent"] <= 100:
        raise ConfigError("[lagging] behind_percent must be a percent from 0 to 100")
    for key in ("missing_weeks", "stale_weeks"):
        if lagging[key] < 1:
            raise ConfigError(f"[lagging] {key} must be at least 1")
    for key in ("milestone_grace_days", "overdue_days"):
        if lagging[key] < 0:
            raise ConfigError(f"[lagging] {key} must not be negative")
    if config["bonds"]["idle_days"] < 1:
        raise ConfigError("[bonds] idle_days must be at least 1")
    if not 0 < config["bonds"]["idle_share"] <= 1:
        raise ConfigError("[bonds] idle_share must be more than 0 and at most 1")
    inclusion = config["statistics_inclusion"]
    if inclusion["threshold"] < 0:
        raise ConfigError("[statistics_inclusion] threshold must not be negative")
    if not 1 <= inclusion["yellow_months"] <= inclusion["red_months"]:
        raise ConfigError("[statistics_inclusion] need 1 <= yellow_months <= red_months")
    scheduler = config["scheduler"]
    if not re.fullmatch(rf"({'|'.join(WEEKDAYS)}) {TIME}", scheduler["weekly"]):
        raise ConfigError('[scheduler] weekly must look like "monday 09:00"')
    for key in ("monthly", "quarterly"):
        if not re.fullmatch(TIME, scheduler[key]):
            raise ConfigError(f'[scheduler] {key} must be a time like "09:00"')
    for day in scheduler["holidays"]:
        try:
            dt.date.fromisoformat(str(day))
        except ValueError as e:
            raise ConfigError(f"[scheduler] holidays: {day!r} is not a date like 2027-01-01") from e
    for key in ("reconcile_minutes", "lease_minutes", "misfire_grace_minutes"):
        if scheduler[key] < 1:
            raise ConfigError(f"[scheduler] {key} must be at least 1")
    for key in ("max_attempts", "retry_seconds", "lease_seconds", "timeout_seconds"):
        if config["mail"][key] < 1:
            raise ConfigError(f"[mail] {key} must be at least 1")
    api = config["api"]
    if not 1 <= api["token_days"] <= api["token_max_days"]:
        raise ConfigError("[api] need 1 <= token_days <= token_max_days")
    if not 0 <= config["charts"]["restart_rate_target"] <= 100:
        raise ConfigError("[charts] restart_rate_target must be a percent from 0 to 100 (0: no target line)")
    if config["promotion"]["funds_growth_target"] < 0:
        raise ConfigError("[promotion] funds_growth_target must be a percent of at least 0")
    if config["photos"]["max_distance_km"] <= 0:
        raise ConfigError("[photos] max_distance_km must be more than 0")
    _validate_notices(config["notices"])
    if config["audit"]["keep_days"] < MIN_AUDIT_KEEP_DAYS:
        raise ConfigError(
            f"[audit] keep_days must be at least {MIN_AUDIT_KEEP_DAYS}: "
            "the Cybersecurity Law has network logs kept for six months or more"
        )
    _validate_honours(config["honours"])
    _validate_channels(config["channels"])
    if not re.match(r"^https?://[^/]+", config["web"]["base_url"]):
        raise ConfigError("[web] base_url must be the site's address, like https://tracker.example.gov.cn")
    for key, days in config["milestones"].items():
        if days < 0:
            raise ConfigError(f"[milestones] {key} must not be negative")
    _validate_oc4ids(config["oc4ids"])
    _validate_map(config["map"])


def _validate_oc4ids(oc4ids):
    if not re.fullmatch(r"oc4ids-[a-z0-9]{6}", oc4ids["id_prefix"]):
        raise ConfigError('[oc4ids] id_prefix must be a registered OC4IDS prefix, like "oc4ids-bu3kcz"')
    for key in ("license", "publication_policy"):
        if oc4ids[key] and not re.fullmatch(URI, oc4ids[key]):
            raise ConfigError(
                f"[oc4ids] {key} must be empty or an address, like https://creativecommons.org/licenses/by/4.0/"
            )


def _validate_map(settings):
    center = settings["center"]
    if not (
        len(center) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in center)
        and -90 <= center[0] <= 90
        and -180 <= center[1] <= 180
    ):
        raise ConfigError("[map] center must be [latitude, longitude], like [34.3, 108.95]")
    if not 1 <= settings["zoom"] <= 18:
        raise ConfigError("[map] zoom must be from 1 to 18")
    if settings["tile_url"] and not re.match(r"^https?://[^/]+/", settings["tile_url"]):
        raise ConfigError("[map] tile_url must be an http(s) address with {z}/{x}/{y}, or empty for no tiles")


def _validate_notices(notices):
    if notices["rectification_days"] < 1:
        raise ConfigError("[notices] rectification_days must be at least 1")
    if not all(isinstance(unit, str) and unit.strip() for unit in notices["copy_to"]):
        raise ConfigError('[notices] copy_to must be a list of names, like ["市委办公室", "市政府办公室"]')


def _validate_honours(honours):
    for key in ("red_flag_count", "snail_count"):
        if honours[key] < 0:
            raise ConfigError(f"[honours] {key} must not be negative")
    for key, value in honours.items():
        if (
            key.endswith(("_points", "_weight_point", "_weight_milestone", "_weight_report", "_weight_overdue"))
            and value < 0
        ):
            raise ConfigError(f"[honours] {key} must not be negative")


def _validate_channels(channels):
    """Fill each robot and the SMS gateway with their defaults, and check what they say."""
    for key in ("timeout_seconds", "window_seconds"):
        if channels[key] < 1:
            raise ConfigError(f"[channels] {key} must be at least 1")
    for channel in ("wecom", "dingtalk"):
        for name, robot in channels[channel].items():
            where = f"[channels.{channel}.{name}]"
            channels[channel][name] = robot = _filled_table(robot, ROBOT_DEFAULTS, where)
            if not re.match(r"^https?://[^/]+", robot["webhook"]):
                raise ConfigError(f"{where} webhook must be the robot's address, like https://...")
            if unknown := [kind for kind in robot["kinds"] if kind not in ROBOT_KINDS]:
                raise ConfigError(f"{where} kinds: {unknown!r} unknown; a robot receives {', '.join(ROBOT_KINDS)}")
            if channel == "wecom" and robot["secret"]:
                raise ConfigError(f"{where} secret: a WeCom robot has none (only DingTalk signs its messages)")
    channels["sms"] = sms = _filled_table(channels["sms"], SMS_DEFAULTS, "[channels.sms]")
    if sms["url"] and not re.match(r"^https?://[^/]+", sms["url"]):
        raise ConfigError("[channels.sms] url must be the gateway's address, like https://...")
    if sms["method"] not in ("GET", "POST"):
        raise ConfigError('[channels.sms] method must be "GET" or "POST"')
    if sms["body_format"] not in ("json", "form"):
        raise ConfigError('[channels.sms] body_format must be "json" or "form"')
    if not all(isinstance(value, str) for value in sms["headers"].values()):
        raise ConfigError("[channels.sms] headers must be a table of texts")


def _filled_table(table, defaults, where):
    """``table`` over ``defaults``: a key not in them, or of another type, is an error naming it."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    filled = deepcopy(defaults)
    for key, value in table.items():
        if key not in defaults:
            raise ConfigError(f"{where}: unknown key {key}")
        if not isinstance(value, type(defaults[key])) or isinstance(value, bool):
            raise ConfigError(f"{where} {key} must be {type(defaults[key]).__name__}, got {value!r}")
        filled[key] = value
    return filled


def _resolve_paths(config, base):
    for section, key in PATH_KEYS:
        if config[section][key]:  # empty: none configured ([map] outline_geojson)
            config[section][key] = str((base / config[section][key]).resolve())
    url = config["database"]["url"]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        config["database"]["url"] = "sqlite:///" + str((base / url[len("sqlite:///") :]).resolve())
