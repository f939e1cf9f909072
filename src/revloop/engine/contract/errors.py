"""Contract errors that point at the exact line and key a person has to fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from revloop.engine.errors import EngineInputError


@dataclass(frozen=True, order=True)
class ContractError:
    """One problem in a contract file, e.g. ``contract.yaml:42 scoring.fit[3].points: …``.

    ``line`` is 1-based. ``path`` is the key path from the top of the document, with
    list positions counted from 0 as they appear in the file (``<root>`` for the
    document itself).
    """

    line: int
    path: str
    message: str
    source: str = "contract.yaml"

    def __str__(self) -> str:
        return f"{self.source}:{self.line} {self.path}: {self.message}"


class ContractInvalid(EngineInputError):  # noqa: N818 - reads as "the contract is invalid"
    """Raised with every error found, not just the first, so one edit round fixes all."""

    def __init__(self, errors: Sequence[ContractError]) -> None:
        self.errors: tuple[ContractError, ...] = tuple(sorted(errors, key=_position))
        count = len(self.errors)
        head = f"{count} error{'s' if count != 1 else ''} in the contract"
        super().__init__("\n".join([head, *(str(e) for e in self.errors)]))


def _position(error: ContractError) -> tuple[str, int, str]:
    return (error.source, error.line, error.path)
