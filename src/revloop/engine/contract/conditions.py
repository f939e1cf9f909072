"""Field conditions of fit and negative rules: equals, in, range, regex, missing.

Each condition answers for one distinct text value (the scoring engine evaluates text
conditions once per distinct value, then spreads the answer to every person who has
it) or for a whole array of numbers. Text comparisons ignore letter case and
surrounding spaces: "VP Sales" and "vp sales " are the same title to both teams.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


def normalize_text(value: str) -> str:
    return value.strip().casefold()


def is_blank(value: str | None) -> bool:
    return value is None or value.strip() == ""


@dataclass(frozen=True)
class Equals:
    operator: ClassVar[str] = "equals"
    field: str
    value: str | float

    def on_text(self, value: str | None) -> bool:
        return value is not None and normalize_text(value) == normalize_text(str(self.value))

    def on_numbers(self, values: FloatArray) -> BoolArray:
        return np.asarray(values == float(self.value))

    def describe(self) -> str:
        return f"{self.field} = {self.value}"

    def argument(self) -> object:
        return self.value


@dataclass(frozen=True)
class OneOf:
    operator: ClassVar[str] = "in"
    field: str
    values: tuple[str | float, ...]

    @cached_property
    def _texts(self) -> frozenset[str]:
        return frozenset(normalize_text(str(v)) for v in self.values)

    def on_text(self, value: str | None) -> bool:
        return value is not None and normalize_text(value) in self._texts

    def on_numbers(self, values: FloatArray) -> BoolArray:
        return np.isin(values, np.array([float(v) for v in self.values], dtype=np.float64))

    def describe(self) -> str:
        return f"{self.field} in [{', '.join(str(v) for v in self.values)}]"

    def argument(self) -> object:
        return list(self.values)


@dataclass(frozen=True)
class InRange:
    """``minimum <= value < maximum``: adjacent bands (50-200, 200-1000) never overlap."""

    operator: ClassVar[str] = "range"
    field: str
    minimum: float | None
    maximum: float | None

    def on_text(self, value: str | None) -> bool:
        del value
        return False  # validation allows ranges on number fields only

    def on_numbers(self, values: FloatArray) -> BoolArray:
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        # NaN (a missing number) compares false on both sides, so it is never in range.
        return np.asarray((values >= low) & (values < high))

    def describe(self) -> str:
        low = "" if self.minimum is None else f"{self.minimum:g} ≤ "
        high = "" if self.maximum is None else f" < {self.maximum:g}"
        return f"{low}{self.field}{high}"

    def argument(self) -> object:
        bounds = {"min": self.minimum, "max": self.maximum}
        return {key: value for key, value in bounds.items() if value is not None}


@dataclass(frozen=True)
class Matches:
    """Python ``re`` search anywhere in the text, ignoring case (anchor with ^ and $)."""

    operator: ClassVar[str] = "regex"
    field: str
    pattern: str

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE)

    def on_text(self, value: str | None) -> bool:
        return value is not None and self.compiled.search(value) is not None

    def on_numbers(self, values: FloatArray) -> BoolArray:
        return np.zeros(values.shape, dtype=np.bool_)  # validation allows regex on text only

    def describe(self) -> str:
        return f"{self.field} matches /{self.pattern}/"

    def argument(self) -> object:
        return self.pattern


@dataclass(frozen=True)
class Missing:
    """``missing: true`` fires on an empty or absent value; ``missing: false`` on a present one."""

    operator: ClassVar[str] = "missing"
    field: str
    expected: bool

    def on_text(self, value: str | None) -> bool:
        return is_blank(value) == self.expected

    def on_numbers(self, values: FloatArray) -> BoolArray:
        return np.asarray(np.isnan(values) == self.expected)

    def describe(self) -> str:
        return f"{self.field} is {'missing' if self.expected else 'present'}"

    def argument(self) -> object:
        return self.expected


Condition = Equals | OneOf | InRange | Matches | Missing

#: YAML key → condition class; the parser and the dumper both read this registry.
OPERATORS: dict[str, type[Condition]] = {
    cls.operator: cls for cls in (Equals, OneOf, InRange, Matches, Missing)
}
