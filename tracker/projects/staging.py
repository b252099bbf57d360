"""Uploaded project lists waiting for the office's confirmation of their preview.

One file per preview under [imports] dir, named by a random token that only
the preview page knows; the confirmation reads it again, and files left
unconfirmed go after a day."""

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
    path: Path
    filename: str  # as the office uploaded it, for the import's record

    def discard(self):
        self.path.unlink(missing_ok=True)
        self.path.with_suffix(".name").unlink(missing_ok=True)


class Staging:
    def __init__(self, directory):
        self.directory = Path(directory)

    def stage(self, upload):
        """Keep ``upload`` (anything with ``save(path)`` and ``filename``) and return it as Staged."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sweep()
        token = secrets.token_hex(16)
        staged = Staged(token, self.directory / f"{token}.xlsx", upload.filename or "")
        upload.save(staged.path)
        staged.path.with_suffix(".name").write_text(staged.filename, encoding="utf-8")
        return staged

    def find(self, token):
        """The Staged upload of ``token``, or None when there is none (any more)."""
        path = self.directory / f"{token}.xlsx"
        if not TOKEN.fullmatch(token) or not path.exists() or self._expired(path):
            return None
        name = path.with_suffix(".name")
        return Staged(token, path, name.read_text(encoding="utf-8") if name.exists() else "")

    def _sweep(self):
        for path in self.directory.glob("*.xlsx"):
            if self._expired(path):
                Staged(path.stem, path, "").discard()

    @staticmethod
    def _expired(path):
        return time.time() - path.stat().st_mtime > LIFETIME_SECONDS
