"""`parley init FOLDER`: a new project in Rasa 3 layout, copied from the demo assistant.

The demo assistant is the template, so a new project starts with the default pipeline the benchmarks
measure (`nlu.config.DEFAULT_PIPELINE`) and with files that are known to train. Trained models and
runtime state (`models/`, `.parley/`) are never copied, and an existing project is never overwritten.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.errors import ConfigError, Conflict

TEMPLATE = Path(__file__).resolve().parents[1] / "demo"
FILES = ("config.yml", "domain.yml", "endpoints.yml", "credentials.yml")
FOLDERS = ("data", "tests")


def init_project(folder: Path, template: Path = TEMPLATE) -> list[Path]:
    """Copy the template's project files into `folder`; return the files written."""
    folder = Path(folder)
    if not (template / "config.yml").is_file():
        raise ConfigError(template, None, "the project template (Parley's demo/ folder) is missing")
    taken = [name for name in (*FILES, *FOLDERS) if (folder / name).exists()]
    if taken:
        raise Conflict(f"{folder} already holds {', '.join(taken)}; choose an empty folder for a new project")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        shutil.copyfile(template / name, folder / name)
        written.append(folder / name)
    for name in FOLDERS:
        for src in sorted((template / name).rglob("*.yml")):
            dst = folder / src.relative_to(template)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            written.append(dst)
    return written
