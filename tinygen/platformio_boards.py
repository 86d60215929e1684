"""Boards known only from PlatformIO: the manifests (boards/<id>.json) of the platforms installed on this machine.

PlatformIO finds them itself: its package manager lists the platforms installed in `platforms_dir` (PlatformIO's
setting: ~/.platformio/platforms unless PLATFORMIO_CORE_DIR, PLATFORMIO_PLATFORMS_DIR or the platformio.ini of
the current directory say otherwise), and each platform reads its boards as `pio run` would (the project's
boards_dir, <core_dir>/boards, then the platform's own boards/). Nothing is installed or downloaded here.

A manifest becomes a Board through its core: `build.cpu` (Cortex-M) or, for Espressif's chips, which give none,
`build.mcu`. The core decides the compiler flags, the kernel library (CMSIS-NN on every Cortex-M, tinygen's
portable kernels elsewhere) and the cycle counter. The FPU is not in the manifest: it is inferred from the MCU
family where every part of it has one (tables below), otherwise the board is treated as having none (correct
code, only the measurement is pessimistic). Memory comes from `upload.maximum_size` / `maximum_ram_size`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .boards import DWT_CORES, FRAMEWORKS, IDENTIFIER, PLATFORM, Board, _check_values
from .errors import TinygenError

# Cortex-M cores a manifest may name in build.cpu.
CORTEX_M = ("cortex-m0", "cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33")
# (core, MCU name prefixes (build.mcu, lower case), FPU): the families whose every part has that FPU. First match
# wins, so the double-precision STM32F76x/F77x come before the other F7s.
FPUS = [
    ("cortex-m4", ("stm32f3", "stm32f4", "stm32g4", "stm32l4", "stm32wb", "stm32h7", "nrf52832", "nrf52833",
                   "nrf52840", "samd51", "same51", "same53", "same54", "ra4m1", "mk64", "mk66"), "fpv4-sp-d16"),
    ("cortex-m7", ("stm32f76", "stm32f77", "stm32h7", "imxrt", "mimxrt", "same70", "samv71", "sams70"), "fpv5-d16"),
    ("cortex-m7", ("stm32f7",), "fpv5-sp-d16"),
    ("cortex-m33", ("stm32l5", "stm32u5", "stm32h5", "rp2350", "nrf53", "nrf54", "nrf91"), "fpv5-sp-d16"),
]


@dataclass(frozen=True)
class Espressif:
    core: str
    fpu: str
    compiler: str
    cflags: tuple[str, ...]
    check: tuple[str, ...]  # what compiles the same instruction set here (as in targets/esp32*.toml)


XTENSA_CHECK = ("gcc", "-m32")  # no Xtensa compiler here: a 32-bit little-endian ILP32 host build stands in
ESPRESSIF = {  # build.mcu → core (Espressif's manifests name no build.cpu)
    "esp32": Espressif("xtensa-lx6", "xtensa-sp", "xtensa-esp32-elf-gcc", ("-mlongcalls",), XTENSA_CHECK),
    "esp32s2": Espressif("xtensa-lx7", "none", "xtensa-esp32s2-elf-gcc", ("-mlongcalls",), XTENSA_CHECK),
    "esp32s3": Espressif("xtensa-lx7", "xtensa-sp", "xtensa-esp32s3-elf-gcc", ("-mlongcalls",), XTENSA_CHECK),
    **{mcu: Espressif("rv32imc", "none", "riscv32-esp-elf-gcc", ("-march=rv32imc", "-mabi=ilp32"),
                      ("riscv64-unknown-elf-gcc", "-march=rv32imc", "-mabi=ilp32", "--specs=picolibc.specs"))
       for mcu in ("esp32c2", "esp32c3")},
    **{mcu: Espressif("rv32imac", "none", "riscv32-esp-elf-gcc", ("-march=rv32imac", "-mabi=ilp32"),
                      ("riscv64-unknown-elf-gcc", "-march=rv32imac", "-mabi=ilp32", "--specs=picolibc.specs"))
       for mcu in ("esp32c6", "esp32h2")},
}
KNOWN_CORES = list(dict.fromkeys([*CORTEX_M, *(e.core for e in ESPRESSIF.values())]))

# What the Arduino core takes before the model (an estimate, as in targets/*.toml), at most half the board.
FRAMEWORK_SHARE = {"cortex-m": (65_536, 16_384), "xtensa-lx6": (262_144, 163_840), "other": (262_144, 65_536)}
MONITOR_SPEED = 115_200
_TEXT_OUT = re.compile(r"[^A-Za-z0-9 .,:()+_/-]+")


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


def installed_ids() -> list[str]:
    return sorted({m.id for m in _installed_manifests()[0]})


def find(name: str) -> Board | None:
    """The installed PlatformIO board `name` (its id, or platform:id), as a Board; None if none is installed.
    A board tinygen cannot target (core, framework, missing sizes) is refused with the reason."""
    platform, _, board_id = name.rpartition(":")
    matches = [m for m in _installed_manifests()[0]
               if m.id.lower() == board_id.lower() and (not platform or platform.lower() == m.platform.lower())]
    exact = [m for m in matches if m.id == board_id]
    matches = exact or matches
    if not matches:
        return None
    if len(matches) > 1:
        choices = " or ".join(f"'{m.platform}:{m.id}'" for m in matches)
        raise TinygenError(f"PlatformIO board '{name}' is defined by {len(matches)} installed platforms",
                           f"name one: {choices}")
    return to_board(matches[0])


def _refuse(m: Manifest, what: str, fix: str) -> TinygenError:
    return TinygenError(f"PlatformIO board '{m.id}' ({m.path}) {what}", fix)


def _core(m: Manifest) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...]]:
    """(core, fpu, compiler, cflags, check compiler) of the manifest's board."""
    build = m.data.get("build", {}) if isinstance(m.data.get("build"), dict) else {}
    cpu = str(build.get("cpu") or "").lower()
    mcu = str(build.get("mcu") or "").lower()
    if cpu in CORTEX_M:
        fpu = next((f for core, prefixes, f in FPUS if core == cpu and mcu.startswith(prefixes)), "none")
        abi = ("-mfloat-abi=soft",) if fpu == "none" else (f"-mfpu={fpu}", "-mfloat-abi=hard")
        cflags = (f"-mcpu={cpu}", "-mthumb", *abi)
        return cpu, fpu, "arm-none-eabi-gcc", cflags, ("arm-none-eabi-gcc", *cflags)
    if not cpu and mcu in ESPRESSIF:
        e = ESPRESSIF[mcu]
        return e.core, e.fpu, e.compiler, e.cflags, e.check
    what = f"core '{cpu}'" if cpu else f"MCU '{mcu}' (no build.cpu)" if mcu else "no build.cpu or build.mcu"
    raise _refuse(m, f"has {what}, which tinygen cannot compile for",
                  f"known cores: {', '.join(KNOWN_CORES)}; or describe the board in a .toml file in a "
                  "TINYGEN_TARGETS directory (see targets/nucleo_f446re.toml)")


def _number(m: Manifest, path: str) -> int:
    value = m.data
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    digits = "".join(c for c in str(value) if c.isdigit()) if isinstance(value, (int, str)) else ""
    if not digits or int(digits) <= 0:
        raise _refuse(m, f"gives no {path}", "describe the board in a .toml file in a TINYGEN_TARGETS directory "
                      "(see targets/nucleo_f446re.toml)")
    return int(digits)


def to_board(m: Manifest) -> Board:
    """The manifest as tinygen's Board (see the module's docstring for the mapping)."""
    if not IDENTIFIER.fullmatch(m.id):
        raise _refuse(m, "has an id tinygen cannot put in platformio.ini", "rename the manifest: letters, digits "
                      "and . _ - only")
    frameworks = m.data.get("frameworks") or []
    framework = next((f for f in FRAMEWORKS if f in frameworks), None)
    if framework is None:
        raise _refuse(m, f"supports only {', '.join(map(str, frameworks)) or 'no framework'}",
                      f"the generated demo runs on {', '.join(FRAMEWORKS)}: choose a board that supports it")
    core, fpu, compiler, cflags, check = _core(m)
    build = m.data.get("build") or {}
    mcu = str(build.get("mcu") or "").lower()
    flash, ram = _number(m, "upload.maximum_size"), _number(m, "upload.maximum_ram_size")
    clock = _number(m, "build.f_cpu")
    family = "cortex-m" if core.startswith("cortex-m") else core if core in FRAMEWORK_SHARE else "other"
    share_flash, share_ram = (min(share, size // 2) for share, size in zip(FRAMEWORK_SHARE[family], (flash, ram)))
    if core.startswith("cortex-m"):
        backend = "cmsis-nn"
        counter = "dwt" if core in DWT_CORES else "rp2040_timer" if mcu.startswith("rp2040") else "none"
    else:
        backend, counter = "portable", "esp_cpu"
    flags = str(build.get("extra_flags") or "") if not isinstance(build.get("extra_flags"), list) else \
        " ".join(map(str, build["extra_flags"]))
    upload = m.data.get("upload") if isinstance(m.data.get("upload"), dict) else {}
    usb = "ARDUINO_USB_CDC_ON_BOOT=1" in flags or any(upload.get(k) for k in ("use_1200bps_touch", "native_usb"))
    name = " ".join(_TEXT_OUT.sub(" ", str(m.data.get("name") or m.id)).split()) or m.id
    mcu_text = " ".join(_TEXT_OUT.sub(" ", mcu.upper()).split()) or "unknown"
    board = Board(
        id=m.id, name=name, mcu=mcu_text, aliases=(), platform=m.spec, pio_board=m.id, framework=framework,
        monitor_speed=MONITOR_SPEED, core=core, fpu=fpu, clock_hz=clock, compiler=compiler, cflags=cflags,
        flash_bytes=flash, ram_bytes=ram, framework_flash_bytes=share_flash, framework_ram_bytes=share_ram,
        flash_data_in_ram=False, backend=backend, cycle_counter=counter, check_compiler=check, path=m.path,
        serial="usb" if usb else "uart", source=f"PlatformIO manifest {m.path}")
    _check_values(board)
    return board


@dataclass
class Catalogue:
    """What `tinygen boards --all` shows of PlatformIO's installed boards."""
    directory: str
    boards: list[tuple[str, Board]]  # (platform, board) tinygen can target
    refused: dict[str, int]  # reason → how many boards
    problems: list[str]  # platforms PlatformIO could not load


def catalogue() -> Catalogue:
    manifests, problems = _installed_manifests()
    boards, refused = [], {}
    for m in manifests:
        try:
            boards.append((m.platform, to_board(m)))
        except TinygenError as e:
            reason = e.problem.split(") ", 1)[-1].split(",")[0]
            refused[reason] = refused.get(reason, 0) + 1
    return Catalogue(platforms_dir(), boards, refused, problems)
