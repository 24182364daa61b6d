"""The grammar of every SQL file, named queries and the layers' own alike (see
``queries/README.md``): a ``-- name:`` header, a description, typed ``-- param``
declarations, then one statement, or several after a ``-- script`` header line (the package's
own files only); errors name ``file:line``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import QueryError
from .sql_params import IDENTIFIER, TYPES, QueryParam, parse_param

__all__ = ["SqlFile", "Statement", "parse_sql"]

_NAME_LINE = re.compile(r"--\s*name\s*:\s*(?P<name>\S+)\s*$")
_INCLUDE_LINE = re.compile(r"--\s*include\s*:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*")
_SCRIPT_LINE = re.compile(r"--\s*script\s*")


@dataclass(frozen=True)
class Statement:
    """One statement of a file and the parameters it uses."""

    sql: str
    params: frozenset[str]


@dataclass(frozen=True)
class SqlFile:
    """A parsed ``<name>.sql``: its description, declared parameters and statements."""

    name: str
    description: str
    params: tuple[QueryParam, ...]
    statements: tuple[Statement, ...]
    path: str
    script: bool = False

    @property
    def sql(self) -> str:
        """The SQL: the statement, or a script's statements each ending with ``;``."""
        if not self.script:
            return self.statements[0].sql
        return "\n\n".join(f"{s.sql};" for s in self.statements)

    @property
    def summary(self) -> str:
        """The one-line description."""
        return self.description.splitlines()[0] if self.description else ""

    @property
    def doc(self) -> str:
        """A docstring: the description, then the parameters."""
        lines = [self.description, ""] if self.description else []
        lines += ["Parameters:"] + [
            f"    {p.describe()}" + (f"  -- {p.help}" if p.help else "") for p in self.params]
        return "\n".join(lines)

    def param(self, name: str) -> QueryParam:
        """The declared parameter called ``name`` (KeyError if there is none)."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


def parse_sql(text: str, path: str = "<query>", *, types: Sequence[str] = TYPES,
              scripts: bool = False, include: Callable[[str], tuple[str, str]] | None = None
              ) -> SqlFile:
    """Parse one SQL file; errors name ``path:line``. ``types``: the parameter types allowed;
    ``scripts``: whether a ``-- script`` header line may declare several statements;
    ``include``: the path and text of the fragment named by an ``-- include: <name>`` header
    line, whose ``-- param`` lines are declared in its place."""
    lines = text.splitlines()
    header_end = 0
    while header_end < len(lines) and lines[header_end].lstrip().startswith("--"):
        header_end += 1
    if not lines or header_end == 0:
        raise QueryError(f"{path}:1: a query file starts with a '-- name: <name>' line")
    match = _NAME_LINE.fullmatch(lines[0].strip())
    if not match:
        raise QueryError(f"{path}:1: expected '-- name: <name>', got {lines[0].strip()!r}")
    name = match["name"]
    stem = Path(path).name.removesuffix(".sql")
    if not IDENTIFIER.fullmatch(name):
        raise QueryError(f"{path}:1: query name {name!r} is not an identifier")
    if path != "<query>" and name != stem:
        raise QueryError(f"{path}:1: the query is named {name!r} but the file is {stem}.sql")

    description: list[str] = []
    params: list[QueryParam] = []
    script = False
    for number in range(2, header_end + 1):
        line = lines[number - 1].strip()
        if re.match(r"--\s*param\b", line):
            found = [parse_param(line, path, number, types)]
        elif match := _INCLUDE_LINE.fullmatch(line):
            found = _included(match["name"], include, path, number, types)
        elif _SCRIPT_LINE.fullmatch(line):
            if not scripts:
                raise QueryError(f"{path}:{number}: a named query is one statement "
                                 "('-- script' is for the package's own SQL files)")
            script = True
            continue
        else:
            description.append(line[2:].strip())
            continue
        for param in found:
            if any(p.name == param.name for p in params):
                raise QueryError(f"{path}:{number}: parameter {param.name!r} declared twice")
            params.append(param)
    while description and not description[-1]:
        description.pop()
    if not description or not description[0]:
        raise QueryError(f"{path}:2: the line after '-- name:' is the one-line description")

    body_lines = lines[header_end:]
    body = "\n".join(body_lines).strip()
    if not body:
        raise QueryError(f"{path}:{header_end + 1}: no SQL after the header")
    statements = _scan_body(body_lines, path, header_end)
    if len(statements) > 1 and not script:
        raise QueryError(f"{path}:{statements[0].end_line}: one query per file (found a second "
                         "statement after this ';'" + ("; a '-- script' header line allows "
                                                      "several)" if scripts else ")"))
    used: dict[str, int] = {}
    for statement in statements:
        for used_name, number in statement.used.items():
            used.setdefault(used_name, number)
    declared = {p.name for p in params}
    for used_name, number in sorted(used.items(), key=lambda item: item[1]):
        if used_name not in declared:
            raise QueryError(f"{path}:{number}: ${used_name} is used but not declared "
                             f"(add '-- param {used_name}: <type> [= default]')")
    for p in params:
        if p.name not in used:
            raise QueryError(f"{path}:{p.line}: parameter {p.name!r} is declared but the SQL "
                             f"never uses ${p.name}")
    if script:
        parts = tuple(Statement(s.sql, frozenset(s.used)) for s in statements)
    else:  # the whole body, its comments included
        sql = body.rstrip().removesuffix(";").rstrip()
        parts = (Statement(sql, frozenset(used)),)
    return SqlFile(name, "\n".join(description), tuple(params), parts, path, script)


def _included(name: str, include: Callable[[str], tuple[str, str]] | None, path: str, number: int,
              types: Sequence[str]) -> list[QueryParam]:
    """The parameters declared by the fragment ``name``, as declared at ``path:number``."""
    if include is None:
        raise QueryError(f"{path}:{number}: '-- include' is not available here")
    fragment, text = include(name)
    lines = text.splitlines()
    if not lines or not _NAME_LINE.fullmatch(lines[0].strip()):
        raise QueryError(f"{path}:{number}: fragment {fragment} starts with '-- name: {name}'")
    found = []
    for i, line in enumerate(lines[1:], start=2):
        line = line.strip()
        if line and not line.startswith("--"):
            raise QueryError(f"{fragment}:{i}: a fragment holds header lines only")
        if re.match(r"--\s*param\b", line):
            param = parse_param(line, fragment, i, types)
            found.append(dataclasses.replace(param, line=number))
    return found


@dataclass
class _Scanned:
    """A statement found by ``_scan_body``: its text, its ``$name`` parameters with the line
    of each one's first use, and the line of its ending ``;``."""

    sql: str
    used: dict[str, int]
    end_line: int


def _scan_body(lines: list[str], path: str, offset: int) -> list[_Scanned]:
    """The statements of the body (split at ``;`` outside strings and comments) with the
    ``$name`` parameters each uses outside strings and comments; refuses positional
    parameters."""
    text = "\n".join(lines)
    line_starts = [0]
    for line in lines:
        line_starts.append(line_starts[-1] + len(line) + 1)

    def line_of(pos: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi - 1:
            mid = (lo + hi) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid
        return offset + lo + 1

    found: list[_Scanned] = []
    used: dict[str, int] = {}
    start: int | None = None  # where the statement being read begins
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise QueryError(f"{path}:{line_of(i)}: unterminated /* comment")
            i = end + 2
            continue
        if start is None and not ch.isspace():
            start = i
        if ch in "'\"":
            end = i + 1
            while True:
                end = text.find(ch, end)
                if end < 0:
                    raise QueryError(f"{path}:{line_of(i)}: unterminated {ch} quote")
                if text.startswith(ch * 2, end):
                    end += 2
                    continue
                break
            i = end + 1
            continue
        if ch == "$":
            match = IDENTIFIER.match(text, i + 1)
            if match:
                used.setdefault(match.group(), line_of(i))
                i = match.end()
                continue
            if text[i + 1:i + 2].isdigit():
                raise QueryError(f"{path}:{line_of(i)}: positional parameters are not "
                                 f"supported; declare a named one and use $name")
        if ch == "?":
            raise QueryError(f"{path}:{line_of(i)}: '?' parameters are not supported; "
                             f"declare a named one and use $name")
        if ch == ";" and start is not None:
            found.append(_Scanned(text[start:i].strip(), used, line_of(i)))
            start, used = None, {}
        i += 1
    if start is not None:
        found.append(_Scanned(text[start:].strip(), used, line_of(n)))
    return found
