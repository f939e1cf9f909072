"""YAML to a tree of nodes that remember their line, so every error can name it.

PyYAML's ``compose`` keeps the position of each node; plain ``safe_load`` throws it
away. We compose, then convert node by node. Scalars keep both the value YAML 1.1
would construct and their raw text: YAML 1.1 reads ``NO`` (Norway) as false and
``17:00`` as the integer 1020, so fields that hold text or clock times read the raw
text instead.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import yaml

from revloop.engine.contract.errors import ContractError

#: Anchors and aliases can expand a small file into a huge tree ("billion laughs");
#: no sane contract has this many nodes.
MAX_NODES = 100_000

ROOT = "<root>"


def child(path: str, key: str | int) -> str:
    """The key path of an item: ``scoring.engagement[3].half_life_days``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return key if path in ("", ROOT) else f"{path}.{key}"


@dataclass(frozen=True, eq=False)
class YScalar:
    line: int
    value: object
    raw: str
    is_null: bool
    #: Why YAML could not construct a value (the "date" 2024-13-45); it is still
    #: fine as text, so only reads of numbers and booleans report it.
    problem: str = ""


@dataclass(frozen=True, eq=False)
class YSeq:
    line: int
    items: tuple[YNode, ...]


@dataclass(frozen=True, eq=False)
class YMap:
    line: int
    items: dict[str, YNode]
    key_lines: dict[str, int] = field(default_factory=dict)


YNode = YScalar | YSeq | YMap


class _Convert:
    def __init__(self, loader: yaml.SafeLoader, source: str, lines: _Lines) -> None:
        self.loader = loader
        self.source = source
        self._line = lines.of_node
        self.errors: list[ContractError] = []
        self.count = 0
        self.stack: set[int] = set()

    def error(self, node: yaml.Node, message: str, path: str = ROOT) -> None:
        self.errors.append(ContractError(self._line(node), path or ROOT, message, self.source))

    def node(self, node: yaml.Node, path: str = "") -> YNode | None:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.error(node, f"document too large (more than {MAX_NODES} values)")
            return None
        if id(node) in self.stack:
            self.error(node, "recursive alias")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        self.stack.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                items = (self.node(item, child(path, i)) for i, item in enumerate(node.value))
                return YSeq(self._line(node), tuple(item for item in items if item is not None))
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
        finally:
            self.stack.discard(id(node))
        self.error(node, f"unsupported YAML node {type(node).__name__}", path)
        return None

    def scalar(self, node: yaml.ScalarNode) -> YScalar:
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # e.g. "2024-13-45" looks like a date to the resolver but is none.
            problem = f"cannot read value {node.value!r}: {_first_line(exc)}"
            return YScalar(self._line(node), None, str(node.value), is_null=False, problem=problem)
        return YScalar(self._line(node), value, str(node.value), value is None)

    def mapping(self, node: yaml.MappingNode, path: str) -> YMap | None:
        try:
            self.loader.flatten_mapping(node)  # resolves "<<" merge keys
        except yaml.YAMLError as exc:
            self.error(node, _first_line(exc), path)
            return None
        items: dict[str, YNode] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "keys must be plain names, not lists or mappings", path)
                continue
            # Raw text: a key spelled "no" or "1" is a name here, not a boolean or a number.
            key = str(key_node.value)
            if key in items:
                message = f"duplicate key {key!r} (first at line {key_lines[key]})"
                self.error(key_node, message, child(path, key))
                continue
            value = self.node(value_node, child(path, key))
            if value is not None:
                items[key] = value
                key_lines[key] = self._line(key_node)
        return YMap(self._line(node), items, key_lines)


def load_nodes(
    text: str, source: str = "contract.yaml"
) -> tuple[YNode | None, list[ContractError]]:
    """Parse YAML text into located nodes; syntax errors come back as errors, not exceptions."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        line = _reader_line(exc, text)
        return None, [ContractError(line, ROOT, f"invalid YAML: {_first_line(exc)}", source)]
    lines = _Lines(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = lines.of_mark(mark) if mark is not None else 1
            problem = exc.problem or exc.context or "invalid YAML"
            return None, [ContractError(line, ROOT, f"invalid YAML: {problem}", source)]
        except yaml.YAMLError as exc:
            line = _reader_line(exc, text)
            return None, [ContractError(line, ROOT, f"invalid YAML: {_first_line(exc)}", source)]
        if root is None:
            return None, [ContractError(1, ROOT, "the file is empty", source)]
        convert = _Convert(loader, source, lines)
        result = convert.node(root)
        return result, convert.errors
    finally:
        loader.dispose()


def _reader_line(exc: yaml.YAMLError, text: str) -> int:
    # The reader refuses a character before any mark exists; it knows only the offset.
    position = getattr(exc, "position", None)
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


class _Lines:
    """Line numbers as an editor counts them: only "\\n" ends a line.

    YAML also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR, so its own
    mark.line runs ahead of the line a user sees after any of them.
    """

    def __init__(self, text: str) -> None:
        self._breaks = [i for i, char in enumerate(text) if char == "\n"]

    def of_mark(self, mark: yaml.Mark) -> int:
        return bisect.bisect_left(self._breaks, int(mark.index)) + 1

    def of_node(self, node: yaml.Node) -> int:
        return self.of_mark(node.start_mark)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
