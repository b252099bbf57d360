"""Real HTTP servers on loopback standing in for WeCom's and DingTalk's group robots and an SMS gateway.

Each records what it accepts and answers as the real one does; ``fail`` makes it answer with an
errcode, an HTTP 500, or not in time. The DingTalk one checks the signature as DingTalk does and
refuses a wrong one (errcode 310000)."""

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WECOM_KEY = "wecom-key-0a1b2c3d4e5f"
DINGTALK_TOKEN = "ding-token-9f8e7d6c5b4a"
DINGTALK_SECRET = "SECdingtalk-secret-5566778899"
SMS_KEY = "sms-api-key-1122334455"


class Robot:
    """What one server received, and how it answers: ``fail`` in (None, "errcode", "http500", "timeout")."""

    def __init__(self, kind, secret=""):
        self.kind, self.secret = kind, secret
        self.received = []
        self.refused = []
        self.fail = None
        self.lock = threading.Lock()

    def answer(self, path, query, headers, body):
        """(status, JSON answer) for one request."""
        if self.fail == "timeout":
            time.sleep(2)
        if self.fail == "http500":
            return 500, {"error": "internal"}
        if self.fail == "errcode":
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        if self.kind == "dingtalk" and self.secret and not self._signed(query):
            with self.lock:
                self.refused.append(body)
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        with self.lock:
            self.received.append({"path": path, "query": query, "headers": headers, "body": body})
        if self.kind == "sms":
            return 200, {"code": "OK", "message": "sent"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _signed(self, query):
        timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
        digest = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
        fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3600_000
        return fresh and hmac.compare_digest(sign, base64.b64encode(digest).decode())


def _handler(robot):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            parsed = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parsed.query)
            try:
                body = json.loads(raw)
            except ValueError:
                body = urllib.parse.parse_qs(raw)
            status, answer = robot.answer(parsed.path, query, dict(self.headers), body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the sender gave up waiting (the timeout case)

        def log_message(self, *args):
            pass

    return Handler


@contextlib.contextmanager
def serving(robot):
    """Serve ``robot`` on a free loopback port in a thread; yield its base URL; stop whatever happens."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(robot))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def stand_ins():
    """The three servers, and the [channels] config that points a WeCom and a DingTalk robot and SMS at them."""
    wecom, dingtalk, sms = Robot("wecom"), Robot("dingtalk", DINGTALK_SECRET), Robot("sms")
    with serving(wecom) as wecom_url, serving(dingtalk) as dingtalk_url, serving(sms) as sms_url:
        kinds = ["reminder", "office_summary", "consultation", "analysis"]
        channels = {
            "timeout_seconds": 1,
            "wecom": {"办公室群": {"webhook": f"{wecom_url}/cgi-bin/webhook/send?key={WECOM_KEY}", "kinds": kinds}},
            "dingtalk": {
                "调度群": {
                    "webhook": f"{dingtalk_url}/robot/send?access_token={DINGTALK_TOKEN}",
                    "secret": DINGTALK_SECRET,
                    "kinds": kinds,
                }
            },
            "sms": {
                "url": f"{sms_url}/sms/send",
                "headers": {"X-Api-Key": SMS_KEY},
                "body": '{"mobile": "{phone}", "content": "{text}"}',
                "success_field": "code",
                "success_value": "OK",
                "message_field": "message",
            },
        }
        yield {"wecom": wecom, "dingtalk": dingtalk, "sms": sms, "channels": channels}


def with_channels(config, channels, **top):
    """``config`` with [channels] from ``channels`` (as a config file states them), validated like one."""
    from tracker.core.config import load_config

    overrides = {"database": config["database"], "mail": config["mail"], "imports": config["imports"]}
    overrides["web"] = {"secret_key": config["web"]["secret_key"]}
    return load_config(overrides={**overrides, "channels": {**channels, **top}})
