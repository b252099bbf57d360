"""The load generator: an HTTP/1.1 client on asyncio streams, run as a process of its own.

    python -m tracker.bench.load      # reads one phase a line (JSON) on stdin, answers one line each

A phase: ``{"port", "seconds", "connections", "requests": [[request, ...] per connection]}``, each
request ``{"method", "path", "headers", "body", "key"}``. Every connection sends its own list
round and round, one request at a time, for ``seconds``; ``{n}`` in a body becomes a number
unique in the process, so each write can be found in the database afterwards. A connection is
kept alive while the server allows it (gunicorn's sync workers close it after each response, as
they do for every client: the new connection is part of the request's time, as it would be for wrk).

The answer: ``{"requests", "seconds", "statuses": {status: count}, "p50_ms", "p99_ms",
"last_created": {key: body}}``, the last being, for each request ``key``, the body of its last
201 response's request.
"""

import asyncio
import itertools
import json
import sys
import time

HOST = "127.0.0.1"


class Connection:
    """One client connection, opened again whenever the server has closed it."""

    def __init__(self, port):
        self.port, self.reader, self.writer = port, None, None

    async def exchange(self, data):
        """Send one request; return (status, whether the server keeps the connection open)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        keep = headers.get("connection", "").lower() != "close" and lines[0].startswith("HTTP/1.1")
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            await self._read_chunks()
        else:
            await self.reader.read()
            keep = False
        if not keep:
            self.close()
        return status, keep

    async def _read_chunks(self):
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def encode(request, number):
    """The bytes of ``request``, ``{n}`` in its body replaced by ``number``; and the body sent."""
    body = (request.get("body") or "").replace("{n}", str(number)).encode()
    lines = [f"{request.get('method', 'GET')} {request['path']} HTTP/1.1", f"Host: {HOST}"]
    lines += [f"{name}: {value}" for name, value in request.get("headers", {}).items()]
    if body or request.get("method", "GET") != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body, body.decode()


async def drive(port, requests, seconds, counter, record):
    """Send ``requests`` round and round on one connection until ``seconds`` have passed."""
    connection = Connection(port)
    deadline = time.perf_counter() + seconds
    try:
        for request in itertools.cycle(requests):
            if time.perf_counter() >= deadline:
                return
            data, body = encode(request, next(counter))
            start = time.perf_counter()
            try:
                status, _ = await connection.exchange(data)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                connection.close()
                status = 0  # no answer: counted as an error
            record(request, body, status, time.perf_counter() - start)
    finally:
        connection.close()


async def run_phase(phase, counter):
    latencies, statuses, last_created = [], {}, {}

    def record(request, body, status, seconds):
        latencies.append(seconds)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201 and request.get("key"):
            last_created[request["key"]] = body

    start = time.perf_counter()
    await asyncio.gather(
        *(drive(phase["port"], requests, phase["seconds"], counter, record) for requests in phase["requests"])
    )
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": _percentile(latencies, 50),
        "p99_ms": _percentile(latencies, 99),
        "last_created": last_created,
    }


def _percentile(sorted_values, p):
    if not sorted_values:
        return None
    return 1000 * sorted_values[min(len(sorted_values) - 1, len(sorted_values) * p // 100)]


def main():
    counter = itertools.count(1)
    for line in sys.stdin:
        phase = json.loads(line)
        print(json.dumps(asyncio.run(run_phase(phase, counter))), flush=True)


if __name__ == "__main__":
    main()
