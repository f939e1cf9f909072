"""What changed between two contract versions, by key path, for people who sign it.

Rules, transitions, team members and routing rules are matched by their id (or
``from->to``, or user), not by their position, so moving a rule up the file is not a
change and editing one shows as ``scoring.fit[senior_title].points: 20 → 25``. Only
the routing rules' order means something (first match wins), so it is compared too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import yaml

from revloop.engine.contract.dump import contract_to_dict
from revloop.engine.contract.schema import Contract


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    path: str
    old: Any = None
    new: Any = None

    def render(self) -> str:
        if self.kind is ChangeKind.ADDED:
            return f"+ {self.path}: {_show(self.new)}"
        if self.kind is ChangeKind.REMOVED:
            return f"- {self.path}: {_show(self.old)}"
        if (
            isinstance(self.old, list)
            and isinstance(self.new, list)
            and self.path.endswith(" order")
        ):
            was = ", ".join(map(str, self.old))
            return f"~ {self.path}: {', '.join(map(str, self.new))} (was {was})"
        if isinstance(self.old, list) and isinstance(self.new, list):
            added = [v for v in self.new if v not in self.old]
            removed = [v for v in self.old if v not in self.new]
            parts = [*(f"+{_show(v)}" for v in added), *(f"-{_show(v)}" for v in removed)]
            if parts:
                return f"~ {self.path}: {' '.join(parts)}"
        return f"~ {self.path}: {_show(self.old)} → {_show(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ContractDiff:
    old_name: str
    new_name: str
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        return {kind.value: sum(c.kind is kind for c in self.changes) for kind in ChangeKind}

    def render(self) -> str:
        if not self.changes:
            return "No changes: both versions score, move and route leads the same way."
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts().items() if n)
        lines = [f"{len(self.changes)} changes ({counts})", *(c.render() for c in self.changes)]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old_name,
            "new": self.new_name,
            "counts": self.counts(),
            "changes": [change.to_dict() for change in self.changes],
        }


class _Keyed(dict[str, Any]):
    """A list in the file whose items are matched by id; paths read ``list[id]``."""


def _by(items: list[dict[str, Any]], key: str) -> _Keyed:
    return _Keyed({str(item[key]): {k: v for k, v in item.items() if k != key} for item in items})


def _keyed(contract: Contract) -> dict[str, Any]:
    data = contract_to_dict(contract)
    data["transitions"] = _Keyed(
        {
            f"{t['from']}->{t['to']}": {k: v for k, v in t.items() if k not in ("from", "to")}
            for t in data["transitions"]
        }
    )
    for section in ("fit", "engagement", "negative"):
        data["scoring"][section] = _by(data["scoring"][section], "id")
    routing = data["routing"]
    routing["rules"] = _by(routing["rules"], "id")
    for team in routing["teams"].values():
        team["members"] = _by(team["members"], "user")
    return data


def _compare(old: Any, new: Any, path: str, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        keyed = isinstance(old, _Keyed)
        for key in [*old, *(k for k in new if k not in old)]:
            sub = f"{path}[{key}]" if keyed else (f"{path}.{key}" if path else key)
            if key not in new:
                out.append(Change(ChangeKind.REMOVED, sub, old=old[key]))
            elif key not in old:
                out.append(Change(ChangeKind.ADDED, sub, new=new[key]))
            else:
                _compare(old[key], new[key], sub, out)
    elif old != new:
        out.append(Change(ChangeKind.CHANGED, path, old=old, new=new))


def diff_contracts(old: Contract, new: Contract) -> ContractDiff:
    """Every added, removed and changed setting from ``old`` to ``new``, in file order."""
    changes: list[Change] = []
    _compare(_keyed(old), _keyed(new), "", changes)
    old_order = [rule.id for rule in old.routing.rules]
    new_order = [rule.id for rule in new.routing.rules]
    common = set(old_order) & set(new_order)
    if [i for i in old_order if i in common] != [i for i in new_order if i in common]:
        changes.append(Change(ChangeKind.CHANGED, "routing.rules order", old_order, new_order))
    return ContractDiff(old.name, new.name, tuple(changes))


def _show(value: Any) -> str:
    text: str = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False
    )
    return text.strip().removesuffix("...").strip()
