"""Finding experiment and trial folders by their content, and fingerprinting their files."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NOT_READ", "ExperimentFolder", "TrialFolder", "find_experiments"]

TRIAL_FILES = ("config.yaml", "results.json", "metadata.json", "train.log")
MASTER_CONFIG = "master_config.yaml"
MAX_DEPTH = 3
NOT_READ = "not read: "  # starts the reason of each entry listed in ExperimentFolder.unreadable


@dataclass(frozen=True)
class TrialFolder:
    """A trial folder and the size/mtime fingerprint of the files ingest reads."""

    uid: str
    path: str
    fingerprint: str


@dataclass(frozen=True)
class ExperimentFolder:
    """An experiment folder: master config, state dbs and trial folders."""

    path: Path
    master_config: Path | None
    state_dbs: tuple[Path, ...]
    trials: tuple[TrialFolder, ...]
    fingerprint: str
    state_fingerprint: str
    unreadable: tuple[tuple[Path, str], ...] = ()


def find_experiments(paths: list[Path]) -> tuple[list[ExperimentFolder], list[tuple[Path, str]]]:
    """Experiments at or below each path, and the paths that held none (with a reason)."""
    found: dict[Path, ExperimentFolder] = {}
    problems: list[tuple[Path, str]] = []
    for path in paths:
        resolved = path.expanduser().resolve()
        if not resolved.exists():
            problems.append((path, f"{path} does not exist"))
        elif not resolved.is_dir():
            problems.append((path, f"{path} is not a folder"))
        else:
            experiments = list(_scan(resolved, 0))
            if not experiments and _is_trial_folder(resolved):
                problems.append((path, f"{path} is a trial folder: pass its parent, the "
                                       f"experiment folder {resolved.parent}"))
            elif not experiments:
                problems.append((path, f"no ABLATOR experiment under {path} (looked for "
                                       f"{MASTER_CONFIG} and trial folders with config.yaml "
                                       f"or results.json)"))
            for experiment in experiments:
                found.setdefault(experiment.path, experiment)
    return list(found.values()), problems


def _scan(folder: Path, depth: int):
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    files = {e.name: e for e in entries if _is_file(e)}
    # a master_config.yaml that is not a regular file is refused (and recorded) when read
    unreadable = [(Path(e.path), f"{NOT_READ}{e.name} is not a regular file") for e in entries
                  if e.name.endswith("_state.db") and e.name not in files and not _is_dir(e)]
    subdirs = [e for e in entries if _is_dir(e) and not e.name.startswith(".")]
    trials: list[TrialFolder] = []
    for entry in subdirs:
        try:
            trial = _trial(entry)
        except OSError as exc:
            unreadable.append((Path(entry.path), f"{NOT_READ}the folder cannot be opened "
                                                 f"({exc.strerror or exc})"))
            continue
        if trial is not None:
            trials.append(trial)
    if MASTER_CONFIG in files or trials:
        master = files.get(MASTER_CONFIG)
        state_dbs = [files[n] for n in files if n.endswith("_state.db")]
        yield ExperimentFolder(
            path=folder,
            master_config=Path(master.path) if master else None,
            state_dbs=tuple(Path(e.path) for e in state_dbs),
            trials=tuple(trials),
            fingerprint=_stamp(master) if master else f"{MASTER_CONFIG}:-",
            state_fingerprint=";".join(_stamp(e) for e in state_dbs),
            unreadable=tuple(unreadable),
        )
    elif depth < MAX_DEPTH:
        for sub in subdirs:
            yield from _scan(Path(sub.path), depth + 1)


def _trial(entry: os.DirEntry) -> TrialFolder | None:
    """The trial in this folder, if it is one; OSError when the folder cannot be looked into."""
    stamps = [_stat(os.path.join(entry.path, name), name) for name in TRIAL_FILES]
    if stamps[0] is None and stamps[1] is None:
        return None
    fingerprint = ";".join(s or f"{n}:-" for s, n in zip(stamps, TRIAL_FILES, strict=True))
    return TrialFolder(entry.name, entry.path, fingerprint)


def _is_trial_folder(path: Path) -> bool:
    """A trial folder holds config.yaml or results.json itself."""
    return any(_stat(str(path / name), name) for name in TRIAL_FILES[:2])


def _stat(path: str, name: str) -> str | None:
    """The file's fingerprint; None when absent. Not a regular file: read (and refused) later."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return f"{name}:?" if os.path.islink(path) else None  # a dangling symlink is there
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENAMETOOLONG):
            return f"{name}:?"
        raise
    return f"{name}:{st.st_size}:{st.st_mtime_ns}" if stat.S_ISREG(st.st_mode) else f"{name}:?"


def _stamp(entry: os.DirEntry) -> str:
    try:
        st = entry.stat()
    except OSError:
        return f"{entry.name}:?"
    return f"{entry.name}:{st.st_size}:{st.st_mtime_ns}"


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
