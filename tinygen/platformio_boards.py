"""The board manifests (boards/<id>.json) of the PlatformIO platforms installed on this machine, as PlatformIO
itself finds them. Nothing is installed or downloaded here; boards.py turns a manifest into a Board.

PlatformIO's package manager lists the platforms installed in its `platforms_dir` (~/.platformio/platforms unless
PLATFORMIO_CORE_DIR, PLATFORMIO_PLATFORMS_DIR or the platformio.ini of the current directory say otherwise), and
each platform reads its boards as `pio run` would: the project's boards_dir, <core_dir>/boards, then the
platform's own boards/.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# A platform is PlatformIO's name for it or the git URL of a community platform (what platformio.ini's
# `platform =` may name).
PLATFORM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*|https://[A-Za-z0-9.-]+(/[A-Za-z0-9_.~-]+)+(#[A-Za-z0-9_.-]+)?")


@dataclass(frozen=True)
class Manifest:
    id: str
    platform: str  # the platform's name (platform.json)
    spec: str  # what platformio.ini's `platform =` names: the name, or the git URL it was installed from
    path: Path
    data: dict


def _installed_manifests() -> tuple[list[Manifest], list[str]]:
    """Every board manifest of every installed platform (PlatformIO's own lookup), and the platforms PlatformIO
    could not load (with why)."""
    try:
        from platformio.package.manager.platform import PlatformPackageManager
        from platformio.platform.factory import PlatformFactory

        packages = PlatformPackageManager().get_installed()
    except Exception as e:  # noqa: BLE001 — PlatformIO's own configuration is broken: no installed boards
        return [], [f"PlatformIO: {e}"]
    found, problems = [], []
    for pkg in packages:
        try:
            platform = PlatformFactory.new(pkg)
            configs = platform.get_boards()
        except Exception as e:  # noqa: BLE001 — one broken platform must not hide the others
            problems.append(f"{pkg.path}: {e}")
            continue
        uri = str(getattr(pkg.metadata.spec, "uri", None) or "").removeprefix("git+")
        spec = uri if uri and PLATFORM.fullmatch(uri) else platform.name
        for board_id, config in sorted(configs.items()):
            found.append(Manifest(board_id, platform.name, spec, Path(config.manifest_path), config.manifest))
    return found, problems


def platforms_dir() -> str:
    """Where PlatformIO keeps its platforms (for messages)."""
    try:
        from platformio.project.config import ProjectConfig

        return str(ProjectConfig.get_instance().get("platformio", "platforms_dir"))
    except Exception as e:  # noqa: BLE001
        return f"(unknown: {e})"


def installed() -> tuple[list[Manifest], list[str]]:
    """Every board manifest of every installed platform, and the platforms PlatformIO could not load."""
    return _installed_manifests()


def installed_ids() -> list[str]:
    return sorted({m.id for m in _installed_manifests()[0]})


def lookup(name: str) -> list[Manifest]:
    """The installed manifests of board `name` (PlatformIO's id, case-insensitive unless that is ambiguous, or
    platform:id)."""
    platform, _, board_id = name.rpartition(":")
    matches = [m for m in _installed_manifests()[0]
               if m.id.lower() == board_id.lower() and (not platform or platform.lower() == m.platform.lower())]
    return [m for m in matches if m.id == board_id] or matches
