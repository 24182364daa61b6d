"""Trial states from ABLATOR's ``<id>_state.db``, decoded without ever unpickling."""

from __future__ import annotations

import pickletools
import sqlite3
import time
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["STATUS_BY_CODE", "StateDb", "decode_state", "read_state_db", "state_blob"]

# ablator.main.state.store.TrialState
STATUS_BY_CODE = {
    0: "running",
    1: "complete",
    2: "pruned",
    3: "failed",
    4: "waiting",
    5: "pruned",
    6: "pruned",
    7: "pruned",
    8: "failed",
}
_ENUM = ("ablator.main.state.store", "TrialState")
MAX_SECONDS = 10.0  # reading one state db takes longer than this only when it is not ABLATOR's
_INT32 = range(-(2**31), 2**31)  # trials.runtime_errors is an INTEGER
_INT_OPS = {"BININT", "BININT1", "BININT2", "INT", "LONG1"}
_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "SHORT_BINSTRING", "BINSTRING"}


def state_blob(code: int) -> bytes:
    """The exact pickle (protocol 5) ABLATOR stores for a TrialState member."""
    return (b"\x80\x05\x951\x00\x00\x00\x00\x00\x00\x00\x8c\x18ablator.main.state.store\x94"
            b"\x8c\nTrialState\x94\x93\x94K" + bytes([code]) + b"\x85\x94R\x94.")


# Those exact bytes are recognised without parsing.
_KNOWN = {state_blob(code): code for code in STATUS_BY_CODE}


@dataclass
class StateDb:
    """States by config_uid (several when rows share one) and runtime errors per config_uid."""

    states: dict[str, set[int | None]] = field(default_factory=lambda: defaultdict(set))
    runtime_errors: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def state_of(self, config_uid: str) -> int | None:
        """The state code, when every row for this config_uid agrees on a decodable one."""
        codes = self.states.get(config_uid)
        if not codes or len(codes) != 1:
            return None
        return next(iter(codes))


def decode_state(blob: bytes) -> int | None:
    """Read TrialState's integer from its pickle by walking the opcodes; None if unexpected."""
    if blob in _KNOWN:
        return _KNOWN[blob]
    try:
        ops = [(op.name, arg) for op, arg, _ in pickletools.genops(blob)]
    except Exception:  # any malformed pickle is simply not decodable
        return None
    strings = [arg for name, arg in ops if name in _STRING_OPS]
    globals_ = [tuple(arg.split(" ", 1)) for name, arg in ops
                if name == "GLOBAL" and isinstance(arg, str)]
    names = [name for name, _ in ops]
    if globals_ == [_ENUM] or (tuple(strings) == _ENUM and "STACK_GLOBAL" in names):
        ints = [arg for name, arg in ops if name in _INT_OPS]
        if len(ints) == 1 and names.count("REDUCE") == 1 and names[-1] == "STOP":
            code = ints[0]
            return code if isinstance(code, int) and code in STATUS_BY_CODE else None
    return None


def read_state_db(paths: list[Path]) -> StateDb:
    """Read every state db of one experiment; unreadable ones are reported, not raised.

    Each is given at most MAX_SECONDS (a ``trial`` view over an endless query is cut off).
    """
    result = StateDb()
    for path in paths:
        try:
            rows = _read_rows(path)
        except sqlite3.Error as exc:
            reason = (f"reading it took longer than {MAX_SECONDS:g} s: not read"
                      if isinstance(exc, sqlite3.OperationalError) and "interrupt" in str(exc)
                      else f"{exc}")
            result.problems.append((path, f"{path.name} is not a readable state db: {reason}"))
            continue
        undecoded = too_large = 0
        for config_uid, blob, runtime_errors in rows:
            code = decode_state(blob) if isinstance(blob, bytes) else None
            undecoded += code is None
            result.states[str(config_uid)].add(code)
            if isinstance(runtime_errors, int):
                if runtime_errors in _INT32:
                    result.runtime_errors[str(config_uid)] = runtime_errors
                else:
                    too_large += 1
        if undecoded:
            result.problems.append(
                (path, f"{path.name}: {undecoded} trial states could not be decoded")
            )
        if too_large:
            result.problems.append(
                (path, f"{path.name}: {too_large} runtime_errors counts beyond a 32-bit "
                       "integer stored as NULL")
            )
    return result


def _read_rows(path: Path) -> list[tuple]:
    """The trial table's rows, read-only, aborted once MAX_SECONDS have passed."""
    deadline = time.monotonic() + MAX_SECONDS
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                 timeout=MAX_SECONDS)) as con:
        con.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        return con.execute("SELECT config_uid, state, runtime_errors FROM trial").fetchall()
