"""Lists read for a preview, waiting for the office's confirmation.

Reading a province's list takes most of the import's time; the confirmation
plans again from what the preview read (the projects may have changed in
between) but does not read the file again. One file per preview under
[imports] dir, named by a random token only the preview page knows, written
and read by this process alone (pickle: nothing else writes there); files
left unconfirmed go after a day."""

import pickle
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

LIFETIME_SECONDS = 24 * 3600


TOKEN = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Staged:
    token: str
    reading: object  # sheet_reading.ListReading
    filename: str  # as the office uploaded it, for the import's record


class Staging:
    def __init__(self, directory):
        self.directory = Path(directory)

    def keep(self, reading, filename):
        """Keep ``reading`` of the file ``filename`` for its confirmation; return it as Staged."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sweep()
        staged = Staged(secrets.token_hex(16), reading, filename or "")
        self._path(staged.token).write_bytes(pickle.dumps((staged.filename, reading), pickle.HIGHEST_PROTOCOL))
        return staged

    def find(self, token):
        """The Staged reading of ``token``, or None when there is none (any more)."""
        if not TOKEN.fullmatch(token):
            return None
        path = self._path(token)
        if not path.exists() or self._expired(path):
            return None
        filename, reading = pickle.loads(path.read_bytes())
        return Staged(token, reading, filename)

    def discard(self, staged):
        self._path(staged.token).unlink(missing_ok=True)

    def _path(self, token):
        return self.directory / f"{token}.reading"

    def _sweep(self):
        for path in self.directory.glob("*.reading"):
            if self._expired(path):
                path.unlink(missing_ok=True)

    @staticmethod
    def _expired(path):
        return time.time() - path.stat().st_mtime > LIFETIME_SECONDS


def import_staging(config):
    """The Staging of the directory ``[imports] dir`` names."""
    return Staging(config["imports"]["dir"])
