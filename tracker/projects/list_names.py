"""What a name means against the managed lists (县区, 产业链, 部门): listed, a near duplicate of a listed one, or new.

南湖 and 南湖县, or 市发改委 and "市发改委 ", are one name written two ways:
entry_key makes them equal, so the import maps a near duplicate to the
entry already listed and the office's page refuses to add it a second time.
The form and the API accept listed names only (unlisted); the import adds
the names it brings (sheet_import), each shown in its preview first.
"""

import re
from dataclasses import dataclass, field

from tracker.projects.models import LIST_KINDS, LISTED_FIELDS, ListEntry

# What a county's name may end with and still be the same county: 南湖 / 南湖县, 高新 / 高新区.
SUFFIX = re.compile(r"[县区市]$")


WHITESPACE = re.compile(r"\s+")


def entry_key(name):
    """``name`` without whitespace (full-width included) or a trailing 县 / 区 / 市: equal keys, the same entry."""
    text = WHITESPACE.sub("", name or "")
    return SUFFIX.sub("", text) or text


def near_duplicate(kind, name, besides=None):
    """The entry of list ``kind`` (other than ``besides``) that ``name`` is, or only nearly is; None if none."""
    key = entry_key(name)
    for entry in ListEntry.of_kind(kind):
        if entry.id != getattr(besides, "id", None) and entry_key(entry.name) == key:
            return entry
    return None


def unlisted(values, current=None):
    """{project field: message} for each listed field of ``values`` whose name the list does not offer.

    A name the project has already (``current``, its values before the
    edit) stays acceptable even if retired or never listed: editing never
    makes a project lose what it holds.
    """
    current = current or {}
    errors = {}
    for name, kind in LISTED_FIELDS.items():
        value = values.get(name)
        if value and value != current.get(name) and value not in ListEntry.names(kind):
            errors[name] = f"“{value}”不在{LIST_KINDS[kind]}名单中，请从名单中选择（名单由领导小组办公室维护）"
    return errors


@dataclass
class Resolution:
    """What the import makes of the names of one list: the ones it adds, maps, or finds retired; by rows."""

    kind: str
    new: dict = field(default_factory=dict)  # name -> rows using it
    mapped: dict = field(default_factory=dict)  # (name as written, listed name) -> rows
    retired: dict = field(default_factory=dict)  # retired name -> rows

    def warnings(self):
        """The preview's warnings for this list, one per name, with how many projects it concerns."""
        label = LIST_KINDS[self.kind]
        lines = [f"新增{label}：{name}（{rows} 个项目）" for name, rows in self.new.items()]
        lines += [
            f"{label}“{written}”按已有的“{listed}”导入（{rows} 个项目）"
            for (written, listed), rows in self.mapped.items()
        ]
        lines += [f"{label}“{name}”已停用，仍按此导入（{rows} 个项目）" for name, rows in self.retired.items()]
        return lines


class ListResolver:
    """Resolves the names an import brings against one list, loaded once, and remembers what it made of them."""

    def __init__(self, kind):
        self.result = Resolution(kind)
        self.entries = {entry.name: entry for entry in ListEntry.of_kind(kind)}
        self.by_key = {}
        for entry in self.entries.values():
            self.by_key.setdefault(entry_key(entry.name), entry.name)

    def resolve(self, name):
        """The name to store for ``name`` as written: itself if listed, the listed near duplicate, or itself as new.

        A name met for the first time is added (on confirmation); a later row
        writing it nearly the same way maps to it, as to a listed one.
        """
        entry = self.entries.get(name)
        if entry is not None:
            if entry.retired:
                _count(self.result.retired, name)
            return name
        known = self.by_key.get(entry_key(name))  # listed, or added by an earlier row of this import
        if known is not None and known != name:
            _count(self.result.mapped, (name, known))
            return known
        self.by_key[entry_key(name)] = name
        _count(self.result.new, name)
        return name


def _count(counts, key):
    counts[key] = counts.get(key, 0) + 1
