"""The channels beside email: WeCom and DingTalk group robots, and an SMS gateway, all over HTTP.

A robot is named in config ([channels.wecom.<name>], [channels.dingtalk.<name>]); the outbox keeps
its name as the recipient, never its webhook, so no key or secret is stored with a message, and
what the office reads (the deliveries page, the log) passes through ``mask`` first. A message for
these channels is kept as JSON ({"title", "text"}): the markdown of a robot, the one line of an SMS.
No Flask here: the scheduler sends through these functions."""

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from tracker.accounts.models import CHANNELS
from tracker.mail.compose import DeliveryError

ROBOT_CHANNELS = ("wecom", "dingtalk")

# The query parameters that carry a credential: the robots' key and access_token, DingTalk's sign.
SECRET_PARAMETERS = re.compile(r"(?i)\b(key|access_token|token|sign|secret|password|apikey|signature)=([^&\s\"']+)")

MASK = "***"

# How much of a gateway's answer a failure keeps: enough for its message, not a whole error page.
ANSWER_KEPT = 300


def payload(title, text):
    """The bytes the outbox keeps for a robot or SMS message."""
    return json.dumps({"title": title, "text": text}, ensure_ascii=False).encode()


def unpack(message):
    """{"title", "text"} of a robot or SMS message kept by the outbox."""
    return json.loads(bytes(message).decode())


def robots_for(kind, config):
    """[(channel, robot name)] of the robots configured to receive messages of ``kind``."""
    channels = config["channels"]
    return [
        (channel, name)
        for channel in ROBOT_CHANNELS
        for name, robot in sorted(channels[channel].items())
        if kind in robot["kinds"]
    ]


def sms_enabled(config):
    return bool(config["channels"]["sms"]["url"])


def per_minute(channel, recipient, config):
    """How many messages ``recipient`` (a robot, a phone, an address) may get in a window; 0: no limit."""
    channels = config["channels"]
    robot = channels.get(channel, {}).get(recipient) if channel in ROBOT_CHANNELS else None
    if robot and robot["per_minute"] >= 0:
        return robot["per_minute"]
    return channels[f"{channel}_per_minute"]


def send(channel, recipient, message, config):
    """Send a robot or SMS message (as the outbox keeps it); DeliveryError, its text masked, when it fails."""
    content = unpack(message)
    try:
        if channel == "sms":
            _send_sms(recipient, content["text"], config)
        else:
            _send_robot(channel, recipient, content, config)
    except DeliveryError as e:
        raise DeliveryError(mask(str(e), config)) from None


def _robot(channel, name, config):
    robot = config["channels"][channel].get(name)
    if robot is None:
        raise DeliveryError(f"配置中没有{CHANNELS[channel]}机器人“{name}”（[channels.{channel}.{name}]）")
    return robot


def _send_robot(channel, name, content, config):
    robot = _robot(channel, name, config)
    if channel == "wecom":
        body = {"msgtype": "markdown", "markdown": {"content": content["text"]}}
        url = robot["webhook"]
    else:
        body = {"msgtype": "markdown", "markdown": {"title": content["title"], "text": content["text"]}}
        url = signed_url(robot["webhook"], robot["secret"]) if robot["secret"] else robot["webhook"]
    answer = _post(url, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"}, config)
    try:
        result = json.loads(answer)
    except ValueError:
        raise DeliveryError(f"机器人的回答不是 JSON: {answer[:ANSWER_KEPT]}") from None
    if not isinstance(result, dict) or result.get("errcode") != 0:
        errcode = result.get("errcode") if isinstance(result, dict) else None
        errmsg = result.get("errmsg", "") if isinstance(result, dict) else answer[:ANSWER_KEPT]
        raise DeliveryError(f"errcode {errcode}: {errmsg}")


def signed_url(webhook, secret, timestamp_ms=None):
    """DingTalk's signed webhook: ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{webhook}{'&' if '?' in webhook else '?'}timestamp={timestamp}&sign={sign}"


def _send_sms(phone, text, config):
    """One SMS through the configured gateway: its URL and body templates filled with the phone and the text."""
    sms = config["channels"]["sms"]
    if not sms["url"]:
        raise DeliveryError("未配置短信网关（[channels.sms] url）")
    quote = urllib.parse.quote
    url = sms["url"].replace("{phone}", quote(phone)).replace("{text}", quote(text))
    data = None
    headers = dict(sms["headers"])
    if sms["method"] == "POST":
        escape, content_type = BODY_FORMATS[sms["body_format"]]
        headers.setdefault("Content-Type", content_type)
        data = sms["body"].replace("{phone}", escape(phone)).replace("{text}", escape(text)).encode()
    answer = _post(url, data, headers, config, method=sms["method"])
    if sms["success_field"]:
        try:
            result = json.loads(answer)
        except ValueError:
            raise DeliveryError(f"短信网关的回答不是 JSON: {answer[:ANSWER_KEPT]}") from None
        if not isinstance(result, dict) or str(result.get(sms["success_field"])) != sms["success_value"]:
            found = result.get(sms["success_field"]) if isinstance(result, dict) else None
            message = result.get(sms["message_field"], "") if isinstance(result, dict) and sms["message_field"] else ""
            raise DeliveryError(f"{sms['success_field']} {found}: {message or answer[:ANSWER_KEPT]}")


def _json_text(value):
    """``value`` as it goes between the quotes of a JSON template."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


# How {phone} and {text} are escaped in an SMS body, and the body's content type.
BODY_FORMATS = {
    "json": (_json_text, "application/json"),
    "form": (urllib.parse.quote, "application/x-www-form-urlencoded"),
}


def _post(url, data, headers, config, method="POST"):
    """The answer's text of an HTTP request; DeliveryError on a refused connection, a timeout or a non-2xx."""
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=config["channels"]["timeout_seconds"]) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        answer = e.read().decode("utf-8", "replace")[:ANSWER_KEPT]
        raise DeliveryError(f"HTTP {e.code}: {answer}") from None
    except (urllib.error.URLError, OSError) as e:
        raise DeliveryError(f"{type(e).__name__}: {getattr(e, 'reason', e)}") from None


def secrets(config):
    """Every credential the channels' config holds: robots' keys and secrets, the SMS gateway's."""
    channels = config["channels"]
    found = set()
    for channel in ROBOT_CHANNELS:
        for robot in channels[channel].values():
            found.update(value for _, value in SECRET_PARAMETERS.findall(robot["webhook"]))
            found.add(robot["secret"])
    sms = channels["sms"]
    found.update(value for _, value in SECRET_PARAMETERS.findall(sms["url"]))
    found.update(sms["headers"].values())
    return {secret for secret in found if len(secret) >= 4}


def mask(text, config):
    """``text`` without any credential of the config, nor any value of a credential-like query parameter."""
    for secret in sorted(secrets(config), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return SECRET_PARAMETERS.sub(lambda m: f"{m[1]}={MASK}", text)


def target(channel, recipient, config):
    """Where a message to ``recipient`` goes, as the office may read it: a robot's webhook masked."""
    if channel in ROBOT_CHANNELS:
        robot = config["channels"][channel].get(recipient)
        return mask(robot["webhook"], config) if robot else "（配置中已没有这个机器人）"
    return recipient
