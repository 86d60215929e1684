"""Board data: one TOML file per board in targets/ (tinygen's curated boards) or in the directories of
TINYGEN_TARGETS (a file there replaces a curated board of the same id); any other PlatformIO board installed on
this machine is read from its PlatformIO manifest (found by platformio_boards.py, mapped below).

A board says how PlatformIO builds for it (platform, board id, framework), what CPU it has (core, FPU, the gcc
flags for that core), how much flash and RAM the model may use, which kernel library to link and how the demo
counts cycles. `[check]` names a compiler available on a development machine that checks the generated
sources for the same instruction set (the test suite uses it); it defaults to the board's own compiler.
"""
from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import platformio_boards
from .backends import SPECIALIZED_CORES
from .errors import TinygenError
from .platformio_boards import PLATFORM, Manifest

FRAMEWORKS = ("arduino",)  # main.c's entry points and console are written for these
BACKENDS = ("specialized", "cmsis-nn", "portable")
# dwt: Cortex-M3/M4/M7/M33/M55 DWT->CYCCNT; esp_cpu: ESP-IDF's CPU cycle counter; rp2040_timer: the RP2040's
# 1 MHz timer scaled by the clock (the Cortex-M0+ has no cycle counter); none: the demo reports no cycles.
CYCLE_COUNTERS = ("dwt", "esp_cpu", "rp2040_timer", "none")
# usb: native USB (CDC), whose host may attach after reset, so the demo waits a moment for it; uart: a UART on
# a USB bridge or debugger.
SERIALS = ("usb", "uart")
DWT_CORES = ("cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55", "cortex-m85")

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,:()+_/-]*")

# table → {key: (type, required)}; anything else in a file is a mistake worth reporting.
SCHEMA = {
    "": {"name": (str, True), "mcu": (str, True), "aliases": (list, False)},
    "platformio": {"platform": (str, True), "board": (str, True), "framework": (str, True),
                   "monitor_speed": (int, True), "serial": (str, False)},
    "cpu": {"core": (str, True), "fpu": (str, True), "clock_hz": (int, True), "compiler": (str, True),
            "cflags": (list, True)},
    "memory": {"flash_bytes": (int, True), "ram_bytes": (int, True), "framework_flash_bytes": (int, True),
               "framework_ram_bytes": (int, True), "flash_data_in_ram": (bool, False)},
    "kernels": {"backend": (str, True), "cycle_counter": (str, True)},
    "check": {"compiler": (list, False)},
}


@dataclass(frozen=True)
class Board:
    id: str  # the file name without .toml: what `--board` takes
    name: str
    mcu: str
    aliases: tuple[str, ...]
    platform: str  # PlatformIO platform
    pio_board: str  # PlatformIO board id
    framework: str
    monitor_speed: int
    core: str  # e.g. cortex-m4, xtensa-lx6, rv32imc (what LowerContext.core sizes CMSIS-NN scratch for)
    fpu: str  # "none" when there is none
    clock_hz: int
    compiler: str  # the board's own gcc
    cflags: tuple[str, ...]  # gcc flags selecting its core
    flash_bytes: int
    ram_bytes: int
    framework_flash_bytes: int  # what the framework (core library, RTOS, C library) takes: an estimate
    framework_ram_bytes: int
    flash_data_in_ram: bool  # start-up copies const data and code into RAM (Teensy 4)
    backend: str  # specialized | cmsis-nn | portable
    cycle_counter: str
    check_compiler: tuple[str, ...]  # compiler + flags available here for the same instruction set
    path: Path
    serial: str = "uart"  # usb | uart: how Serial reaches the host
    source: str = ""  # where the data came from, as platformio.ini names it

    @property
    def is_cortex_m(self) -> bool:
        return self.core.startswith("cortex-m")


def _builtin_dir() -> Path:
    return Path(str(resources.files("tinygen.targets")))


def _target_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("TINYGEN_TARGETS", "").split(os.pathsep) if p]
    return extra + [_builtin_dir()]


def _source(path: Path) -> str:
    try:
        builtin = path.resolve().parent == _builtin_dir().resolve()
    except OSError:
        builtin = False
    return f"tinygen target targets/{path.name}" if builtin else f"TINYGEN_TARGETS file {path}"


def _invalid(path: Path, what: str) -> TinygenError:
    return TinygenError(f"board file {path}: {what}", "fix the file (see targets/nucleo_f446re.toml for the format)")


def _check_schema(path: Path, data: dict) -> None:
    for table, fields in SCHEMA.items():
        section = data if table == "" else data.get(table, {})
        if not isinstance(section, dict):
            raise _invalid(path, f"[{table}] must be a table")
        for key, value in section.items():
            if table == "" and key in SCHEMA:
                continue
            if table == "" and isinstance(value, dict):
                raise _invalid(path, f"unknown table [{key}]")
            where = f"{table}.{key}" if table else key
            if key not in fields:
                raise _invalid(path, f"unknown field '{where}'")
            kind = fields[key][0]
            # bool is an int in Python; TOML keeps them apart, so must we.
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise _invalid(path, f"'{where}' must be a {kind.__name__}, not {type(value).__name__}")
            if kind is list and not all(isinstance(v, str) for v in value):
                raise _invalid(path, f"'{where}' must be a list of strings")
            if kind is int and value <= 0:
                raise _invalid(path, f"'{where}' must be positive")
        for key, (_, required) in fields.items():
            if required and key not in section:
                raise _invalid(path, f"missing field '{table + '.' if table else ''}{key}'")


def load_board(path: Path) -> Board:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise _invalid(path, f"not valid TOML ({e})") from None
    _check_schema(path, data)
    pio, cpu, mem, kern = data["platformio"], data["cpu"], data["memory"], data["kernels"]
    board = Board(
        id=path.stem, name=data["name"], mcu=data["mcu"], aliases=tuple(a.lower() for a in data.get("aliases", [])),
        platform=pio["platform"], pio_board=pio["board"], framework=pio["framework"],
        monitor_speed=pio["monitor_speed"], core=cpu["core"], fpu=cpu["fpu"], clock_hz=cpu["clock_hz"],
        compiler=cpu["compiler"], cflags=tuple(cpu["cflags"]), flash_bytes=mem["flash_bytes"],
        ram_bytes=mem["ram_bytes"], framework_flash_bytes=mem["framework_flash_bytes"],
        framework_ram_bytes=mem["framework_ram_bytes"], flash_data_in_ram=mem.get("flash_data_in_ram", False),
        backend=kern["backend"], cycle_counter=kern["cycle_counter"],
        check_compiler=tuple(data.get("check", {}).get("compiler", [cpu["compiler"], *cpu["cflags"]])),
        path=path, serial=pio.get("serial", "uart"), source=_source(path))
    _check_values(board)
    return board


def _check_values(b: Board) -> None:
    def bad(what: str) -> TinygenError:
        return _invalid(b.path, what)

    # These land in platformio.ini, C comments and C string literals: keep them plain.
    for what, value in [("the file name", b.id), ("platformio.board", b.pio_board)] + [
            ("an alias", a) for a in b.aliases]:
        if not IDENTIFIER.fullmatch(value):
            raise bad(f"{what} '{value}' may hold only letters, digits and . _ -")
    if not PLATFORM.fullmatch(b.platform):
        raise bad(f"platformio.platform '{b.platform}' must be a PlatformIO platform name (letters, digits and "
                  ". _ -) or an https:// git URL")
    if b.serial not in SERIALS:
        raise bad(f"platformio.serial '{b.serial}': choose {' or '.join(SERIALS)}")
    for what, value in (("name", b.name), ("mcu", b.mcu)):
        if not TEXT.fullmatch(value):
            raise bad(f"{what} '{value}' may hold only letters, digits, spaces and . , : ( ) + _ / -")
    if b.framework not in FRAMEWORKS:
        raise bad(f"framework '{b.framework}': the generated demo supports {', '.join(FRAMEWORKS)}")
    if b.backend not in BACKENDS:
        raise bad(f"backend '{b.backend}': choose {', '.join(BACKENDS)}")
    if b.backend == "cmsis-nn" and not b.is_cortex_m:
        raise bad(f"backend 'cmsis-nn' needs an Arm Cortex-M core, not '{b.core}'")
    if b.cycle_counter not in CYCLE_COUNTERS:
        raise bad(f"cycle_counter '{b.cycle_counter}': choose one of {', '.join(CYCLE_COUNTERS)}")
    if b.cycle_counter == "dwt" and b.core not in DWT_CORES:
        raise bad(f"'{b.core}' has no DWT cycle counter")
    if b.framework_flash_bytes >= b.flash_bytes or b.framework_ram_bytes >= b.ram_bytes:
        raise bad("the framework's share must be smaller than the board's flash and RAM")
    if not b.check_compiler:
        raise bad("check.compiler must name a compiler")


def all_boards() -> dict[str, Board]:
    """Every board by id; a file in a TINYGEN_TARGETS directory overrides a built-in one of the same id."""
    boards: dict[str, Board] = {}
    for directory in reversed(_target_dirs()):
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                boards[path.stem] = load_board(path)
    return dict(sorted(boards.items()))


def get_board(name: str) -> Board:
    """A board by id, PlatformIO board id or alias (case-insensitive): tinygen's targets (with TINYGEN_TARGETS),
    then the PlatformIO boards installed here (PlatformIO's id, or platform:id where two platforms share one)."""
    boards = all_boards()
    key = name.strip().lower()
    for b in boards.values():
        if key in (b.id.lower(), b.pio_board.lower()) or key in b.aliases:
            return b
    found = platformio_boards.lookup(name.strip())
    if len(found) > 1:
        choices = " or ".join(f"'{m.platform}:{m.id}'" for m in found)
        raise TinygenError(f"PlatformIO board '{name.strip()}' is defined by {len(found)} installed platforms",
                           f"name one: {choices}")
    if found:
        return from_manifest(found[0])
    owner = {n.lower(): b.id for b in boards.values() for n in (b.id, *b.aliases)}
    owner.update({i.lower(): i for i in platformio_boards.installed_ids() if i.lower() not in owner})
    close, seen = [], set()  # the closest name of each board: an id and its alias are one suggestion
    for n in difflib.get_close_matches(key, sorted(owner), n=6, cutoff=0.5):
        if owner[n] not in seen:
            seen.add(owner[n])
            close.append(n)
    close = close[:3]
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise TinygenError(f"unknown board '{name}'", f"{hint}`tinygen boards` lists the {len(boards)} boards")


COLUMNS = ("board", "aliases", "name", "core", "FPU", "MHz", "flash", "RAM", "kernels", "cycles")


def _size(n: int) -> str:
    return f"{n // 1024} KiB" if n < 1 << 20 else f"{n / (1 << 20):g} MiB"


def table_rows() -> list[tuple[str, ...]]:
    """One row per board, in COLUMNS order, for `tinygen boards`."""
    return [(b.id, ", ".join(b.aliases), b.name, b.core, b.fpu, str(b.clock_hz // 1_000_000), _size(b.flash_bytes),
             _size(b.ram_bytes), b.backend, b.cycle_counter) for b in all_boards().values()]


def installed_row(platform: str, b: Board) -> tuple[str, ...]:
    """A PlatformIO board for `tinygen boards --all`: its platform in place of aliases."""
    return (b.id, platform, b.name, b.core, b.fpu, str(b.clock_hz // 1_000_000), _size(b.flash_bytes),
            _size(b.ram_bytes), b.backend, b.cycle_counter)

# ---- boards known only from a PlatformIO manifest ----
#
# A manifest becomes a Board through its core: `build.cpu` (Cortex-M) or, for Espressif's chips, which give none,
# `build.mcu`. The core decides the compiler flags, the kernel library (tinygen's specialized kernels on the
# Cortex-M cores with the DSP extension, CMSIS-NN on the other Cortex-M, the portable kernels elsewhere) and the
# cycle counter. The FPU is not in the manifest: it is inferred from the MCU family where every part of it has one
# (FPUS), otherwise the board is treated as having none (correct code; only the measurement is pessimistic). Memory comes from `upload.maximum_size` / `maximum_ram_size`, the clock from
# `build.f_cpu`; Serial is native USB when the manifest says so (use_1200bps_touch, native_usb,
# ARDUINO_USB_CDC_ON_BOOT=1).

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


def from_manifest(m: Manifest) -> Board:
    """The manifest as tinygen's Board (see above for the mapping)."""
    if not IDENTIFIER.fullmatch(m.id):
        raise _refuse(m, "has an id tinygen cannot put in platformio.ini", "rename the manifest: letters, digits "
                      "and . _ - only")
    frameworks = m.data.get("frameworks") or []
    framework = next((f for f in FRAMEWORKS if f in frameworks), None)
    if framework is None:
        raise _refuse(m, f"supports only {', '.join(map(str, frameworks)) or 'no framework'}",
                      f"the generated demo runs on {', '.join(FRAMEWORKS)}: choose a board that supports it")
    core, fpu, compiler, cflags, check = _core(m)
    build = m.data.get("build") if isinstance(m.data.get("build"), dict) else {}
    mcu = str(build.get("mcu") or "").lower()
    flash, ram = _number(m, "upload.maximum_size"), _number(m, "upload.maximum_ram_size")
    clock = _number(m, "build.f_cpu")
    family = "cortex-m" if core.startswith("cortex-m") else core if core in FRAMEWORK_SHARE else "other"
    share_flash, share_ram = (min(share, size // 2) for share, size in zip(FRAMEWORK_SHARE[family], (flash, ram)))
    if core.startswith("cortex-m"):
        backend = "specialized" if core in SPECIALIZED_CORES else "cmsis-nn"
        counter = "dwt" if core in DWT_CORES else "rp2040_timer" if mcu.startswith("rp2040") else "none"
    else:
        backend = "specialized" if core in SPECIALIZED_CORES else "portable"
        counter = "esp_cpu"
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
    manifests, problems = platformio_boards.installed()
    boards, refused = [], {}
    for m in manifests:
        try:
            boards.append((m.platform, from_manifest(m)))
        except TinygenError as e:
            reason = e.problem.split(") ", 1)[-1].split(",")[0]
            refused[reason] = refused.get(reason, 0) + 1
    return Catalogue(platformio_boards.platforms_dir(), boards, refused, problems)
