"""The board catalogue: tinygen's curated targets (≥ 20, each matching PlatformIO's own board data, each building
the digits example and compiling it for its core with -Werror), and boards known only from a PlatformIO manifest
(read through PlatformIO's own lookup from a platforms directory the tests write, mapped to a core, refused with
the known cores when unknown), `tinygen boards --all`, and the board-data line in platformio.ini."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.helpers import REPO, mlperf_model

from tinygen.backends import cmsis_nn
from tinygen.boards import DWT_CORES, SERIALS, all_boards, get_board
from tinygen.cli import main
from tinygen.errors import TinygenError
from tinygen.project import build, generate

DIGITS = REPO / "examples" / "digits" / "digits_int8.tflite"
WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Werror", "-O2"]

# PlatformIO's data for each curated board (boards/<id>.json of its platform): build.cpu, build.mcu, build.f_cpu,
# upload.maximum_size, upload.maximum_ram_size, and whether Serial is native USB (use_1200bps_touch, native_usb
# or ARDUINO_USB_CDC_ON_BOOT=1). Teensy 4.1 is left out: its linker script copies flash data to RAM, which no
# manifest says.
PLATFORMIO = {
    "nucleo_l4r5zi": ("cortex-m4", "stm32l4r5zit6", "120000000L", 2097152, 655360, False),
    "bluepill_f103c8": ("cortex-m3", "stm32f103c8t6", "72000000L", 65536, 20480, False),
    "portenta_h7_m7": ("cortex-m7", "stm32h747xih6", "480000000L", 786432, 523624, True),
    "nucleo_l476rg": ("cortex-m4", "stm32l476rgt6", "80000000L", 1048576, 98304, False),
    "disco_l475vg_iot01a": ("cortex-m4", "stm32l475vgt6", "80000000L", 1048576, 98304, False),
    "nucleo_f401re": ("cortex-m4", "stm32f401ret6", "84000000L", 524288, 98304, False),
    "nucleo_u575zi_q": ("cortex-m33", "stm32u575zit6q", "160000000L", 2097152, 786432, False),
    "nucleo_f446re": ("cortex-m4", "stm32f446ret6", "180000000L", 524288, 131072, False),
    "nucleo_h743zi": ("cortex-m7", "stm32h743zit6", "400000000L", 2097152, 524288, False),
    "disco_f746ng": ("cortex-m7", "stm32f746ngh6", "216000000L", 1048576, 327680, False),
    "seeed_xiao_esp32s3": (None, "esp32s3", "240000000L", 8388608, 327680, True),
    "esp32-s2-saola-1": (None, "esp32s2", "240000000L", 4194304, 327680, False),
    "m5stack-core-esp32": (None, "esp32", "240000000L", 4194304, 327680, False),
    "adafruit_feather_esp32s3": (None, "esp32s3", "240000000L", 4194304, 327680, True),
    "esp32dev": (None, "esp32", "240000000L", 4194304, 327680, False),
    "esp32-s3-devkitc-1": (None, "esp32s3", "240000000L", 8388608, 327680, False),
    "esp32-c3-devkitm-1": (None, "esp32c3", "160000000L", 4194304, 327680, False),
    "nano33ble": ("cortex-m4", "nrf52840", "64000000L", 983040, 262144, True),
    "nrf52840_dk": ("cortex-m4", "nrf52840", "64000000L", 1048576, 262144, False),
    "rpipico2": ("cortex-m33", "rp2350", "150000000L", 4194304, 524288, True),
    "pico": ("cortex-m0plus", "rp2040", "133000000L", 2097152, 270336, True),
    "seeed-xiao-afruitnrf52-nrf52840": ("cortex-m4", "nrf52840", "64000000L", 811008, 237568, True),
}
# The classics the catalogue must hold, by the name a user types.
CLASSICS = {"nano33ble": "nano33ble", "nucleo_l4r5zi": "nucleo_l4r5zi", "rpipico2": "rpipico2",
            "seeed_xiao_esp32s3": "seeed_xiao_esp32s3", "xiao_ble": "seeed-xiao-afruitnrf52-nrf52840",
            "esp32-s2-saola-1": "esp32-s2-saola-1", "bluepill_f103c8": "bluepill_f103c8",
            "portenta_h7_m7": "portenta_h7_m7", "m5stack-core-esp32": "m5stack-core-esp32",
            "nucleo_l476rg": "nucleo_l476rg", "disco_l475vg_iot01a": "disco_l475vg_iot01a",
            "adafruit_feather_esp32s3": "adafruit_feather_esp32s3", "pico2": "rpipico2", "bluepill": "bluepill_f103c8"}
CURATED = sorted(all_boards())


# ---- curated targets ----

def test_at_least_twenty_curated_boards_with_the_classics():
    assert len(CURATED) >= 20
    for name, board_id in CLASSICS.items():
        assert get_board(name).id == board_id, name
    assert set(PLATFORMIO) | {"teensy41"} == set(CURATED)


def test_names_are_unambiguous():
    seen = {}
    for b in all_boards().values():
        for n in {b.id.lower(), b.pio_board.lower(), *b.aliases}:
            assert seen.setdefault(n, b.id) == b.id, f"'{n}' names both {seen[n]} and {b.id}"


@pytest.mark.parametrize("board_id", CURATED)
def test_curated_board(board_id):
    b = get_board(board_id)
    assert b.path.name == f"{b.pio_board}.toml" and b.id == b.pio_board  # targets/<PlatformIO id>.toml
    assert b.source == f"tinygen target targets/{b.id}.toml"
    assert b.framework == "arduino" and b.serial in SERIALS and b.monitor_speed == 115200
    assert b.framework_flash_bytes <= b.flash_bytes // 2 and b.framework_ram_bytes <= b.ram_bytes // 2
    if b.is_cortex_m:
        # the specialized kernels where the core has the DSP extension, CMSIS-NN on the others
        assert b.backend == ("specialized" if b.core in ("cortex-m4", "cortex-m7", "cortex-m33") else "cmsis-nn")
        assert b.compiler == "arm-none-eabi-gcc"
        assert b.cflags[:2] == (f"-mcpu={b.core}", "-mthumb") and b.check_compiler == (b.compiler, *b.cflags)
        abi = next(f for f in b.cflags if f.startswith("-mfloat-abi="))
        if b.fpu == "none":
            assert abi == "-mfloat-abi=soft" and not any(f.startswith("-mfpu=") for f in b.cflags)
        else:  # hard, or softfp on the Arduino Mbed OS core
            assert f"-mfpu={b.fpu}" in b.cflags and abi in ("-mfloat-abi=hard", "-mfloat-abi=softfp")
        assert b.cycle_counter == ("dwt" if b.core in DWT_CORES else "rp2040_timer")
        if b.core in ("cortex-m4", "cortex-m7", "cortex-m33"):
            assert cmsis_nn.arch(b.core) == "dsp"  # the M33 boards get the same kernels as M4/M7
    else:
        assert b.backend == "specialized" and b.cycle_counter == "esp_cpu"
        assert b.core in ("xtensa-lx6", "xtensa-lx7", "rv32imc")


@pytest.mark.parametrize("board_id", sorted(PLATFORMIO))
def test_curated_board_matches_platformio_and_the_manifest_mapping(tmp_path, monkeypatch, board_id):
    """Sizes and clock are PlatformIO's; the same manifest, read as an installed PlatformIO board, gives the same
    core, FPU, kernels, cycle counter and serial (the mapping and the curated files agree)."""
    cpu, mcu, f_cpu, flash, ram, usb = PLATFORMIO[board_id]
    b = get_board(board_id)
    assert (b.clock_hz, b.flash_bytes, b.ram_bytes) == (int(f_cpu.rstrip("L")), flash, ram)
    assert (b.serial == "usb") == usb
    build_data = {"mcu": mcu, "f_cpu": f_cpu, **({"cpu": cpu} if cpu else {}),
                  **({"extra_flags": "-DARDUINO_USB_CDC_ON_BOOT=1"} if usb else {})}
    platforms = _platforms(tmp_path, monkeypatch, {"realplat": {
        f"copy_{board_id}": _manifest(board_id, build=build_data, flash=flash, ram=ram)}})
    m = get_board(f"copy_{board_id}")
    assert m.source == f"PlatformIO manifest {platforms / 'realplat' / 'boards' / f'copy_{board_id}.json'}"
    assert (m.core, m.fpu, m.backend, m.cycle_counter, m.serial) == (b.core, b.fpu, b.backend, b.cycle_counter,
                                                                     b.serial)
    assert (m.clock_hz, m.flash_bytes, m.ram_bytes) == (b.clock_hz, b.flash_bytes, b.ram_bytes)


# ---- building the digits example for every curated board ----

_COMPILED: set = set()


def _compile(check_compiler, flags, files: dict[str, bytes], work: Path) -> None:
    """Compile (-c) the project's C as PlatformIO sees it (src/, lib/<model>/); a kernel already compiled with
    the same compiler, flags and headers is not compiled again."""
    if shutil.which(check_compiler[0]) is None:
        pytest.skip(f"{check_compiler[0]} not installed")
    for rel, data in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(data)
    includes = sorted({f"-I{Path(rel).parent}" for rel in files if rel.startswith("lib/") and rel.endswith(".h")})
    headers = tuple(sorted((rel, data) for rel, data in files.items() if rel.endswith(".h")))
    keys = {rel: (tuple(check_compiler), tuple(flags), headers, Path(rel).name, data)
            for rel, data in files.items() if rel.endswith(".c")}
    sources = sorted(rel for rel, key in keys.items() if key not in _COMPILED or rel == "src/main.c")
    cmd = [*check_compiler, *flags, *includes, "-c", *sources]
    result = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(cmd[:8])} ...\n{result.stderr[-3000:]}"
    _COMPILED.update(keys[rel] for rel in sources)


@pytest.mark.parametrize("board_id", CURATED)
def test_build_digits_and_compile_for_the_core(tmp_path, board_id):
    b = get_board(board_id)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(DIGITS), "--board", board_id, "-o", str(out)])
    assert result.exit_code == 0, result.output
    ini = (out / "platformio.ini").read_text()
    assert f"; board data: tinygen target targets/{board_id}.toml\n" in ini
    assert f"platform = {b.platform}\nboard = {b.pio_board}\n" in ini
    waits = "while (!Serial && millis() < 3000)" in (out / "src" / "arduino_main.cpp").read_text()
    assert waits == (b.serial == "usb")
    project = generate(DIGITS, b, backend="portable")
    _compile(b.check_compiler, WARNINGS, project.files, tmp_path / "portable")
    if b.backend == "specialized":
        _compile(b.check_compiler, WARNINGS, generate(DIGITS, b).files, tmp_path / "specialized")
    root = os.environ.get("TINYGEN_CMSIS_NN")
    if b.is_cortex_m and root and (Path(root) / "Include" / "arm_nnfunctions.h").is_file():
        project = generate(DIGITS, b, backend="cmsis-nn")
        _compile(b.check_compiler, WARNINGS + ["-DTINYGEN_USE_CMSIS_NN", f"-I{Path(root) / 'Include'}"],
                 project.files, tmp_path / "cmsis-nn")


@pytest.mark.slow
def test_kws_on_every_curated_board(tmp_path):
    """The MLPerf Tiny keyword-spotting model: a project on every board it fits; the fit check refuses (with
    --force as the way out) only where flash or RAM is short."""
    kws = mlperf_model("kws_ref_model")
    refused = {}
    for board_id in CURATED:
        try:
            build(kws, board_id, tmp_path / board_id)
        except TinygenError as e:
            assert "choose a board with more memory" in e.fix, e
            refused[board_id] = e.problem
            continue
        assert (tmp_path / board_id / "platformio.ini").is_file()
    assert set(refused) <= {"bluepill_f103c8"}, refused
    for board_id in refused:
        build(kws, board_id, tmp_path / f"{board_id}_forced", force=True)


# ---- boards known only from PlatformIO's manifests ----

def _manifest(name: str, build: dict, flash: int | None = 1048576, ram: int | None = 131072,
              frameworks=("arduino", "stm32cube"), upload: dict | None = None) -> dict:
    """A board manifest in PlatformIO's schema (boards/<id>.json)."""
    sizes = {**({"maximum_size": flash} if flash else {}), **({"maximum_ram_size": ram} if ram else {})}
    return {"build": build, "frameworks": list(frameworks), "name": name, "upload": {**sizes, **(upload or {})},
            "url": "https://example.com/board", "vendor": "Test"}


def _platforms(tmp_path: Path, monkeypatch, platforms: dict[str, dict[str, dict]]) -> Path:
    """Installed platforms (platform.json + boards/*.json) in a fresh PlatformIO core directory, which PlatformIO's
    own lookup is pointed at; returns its platforms directory."""
    core = tmp_path / "pio-core"
    for name, boards in platforms.items():
        (core / "platforms" / name / "boards").mkdir(parents=True)
        (core / "platforms" / name / "platform.json").write_text(json.dumps(
            {"name": name, "title": name, "version": "1.0.0", "frameworks": {"arduino": {}}}))
        for board_id, manifest in boards.items():
            (core / "platforms" / name / "boards" / f"{board_id}.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("PLATFORMIO_CORE_DIR", str(core))
    monkeypatch.delenv("PLATFORMIO_PLATFORMS_DIR", raising=False)
    monkeypatch.delenv("PLATFORMIO_BOARDS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no platformio.ini or boards/ of some project around
    return core / "platforms"


STM32L4 = {"cpu": "cortex-m4", "mcu": "stm32l433rct6", "f_cpu": "80000000L", "extra_flags": "-DSTM32L4"}
BOARDS = {
    "fakestm": {
        "my_l433": _manifest("My L433 board", STM32L4, flash=262144, ram=65536),
        "my_f103": _manifest("My F103 (20k RAM)", {"cpu": "cortex-m3", "mcu": "stm32f103c8t6", "f_cpu": "72000000L"},
                             flash=65536, ram=20480),
        "my_g071": _manifest("My G071", {"cpu": "cortex-m0plus", "mcu": "stm32g071rbt6", "f_cpu": "64000000L"},
                             flash=131072, ram=36864),
        "my_f767": _manifest("My F767", {"cpu": "cortex-m7", "mcu": "stm32f767zit6", "f_cpu": "216000000L"}),
        "my_f722": _manifest("My F722", {"cpu": "cortex-m7", "mcu": "stm32f722zet6", "f_cpu": "216000000L"}),
        "my_m23": _manifest("My M23", {"cpu": "cortex-m23", "mcu": "m2351", "f_cpu": "64000000L"}),
        "my_zephyr_only": _manifest("Zephyr only", STM32L4, frameworks=("zephyr",)),
        "my_sizeless": _manifest("No RAM size", STM32L4, ram=None),
        "shared_id": _manifest("Shared (stm)", STM32L4),
        "nucleo_f446re": _manifest("A copy of a curated board", STM32L4, ram=4096),
    },
    "fakeesp": {
        "my_s3": _manifest("My S3 & friends", {"mcu": "esp32s3", "f_cpu": "240000000L", "extra_flags": [
            "-DARDUINO_USB_CDC_ON_BOOT=1"]}, flash=8388608, ram=327680, frameworks=("arduino", "espidf")),
        "my_c3": _manifest("My C3", {"mcu": "esp32c3", "f_cpu": "160000000L"}, flash=4194304, ram=327680,
                           frameworks=("arduino", "espidf")),
        "shared_id": _manifest("Shared (esp)", {"mcu": "esp32", "f_cpu": "240000000L"}, flash=4194304, ram=327680),
    },
    "fakerp": {
        "my_rp2040": _manifest("My RP2040", {"cpu": "cortex-m0plus", "mcu": "rp2040", "f_cpu": "133000000L"},
                               flash=2097152, ram=270336, upload={"native_usb": True}),
        "my_rp2350": _manifest("My RP2350", {"cpu": "cortex-m33", "mcu": "rp2350", "f_cpu": "150000000L"},
                               flash=4194304, ram=524288, upload={"use_1200bps_touch": True}),
    },
}


@pytest.fixture
def installed(tmp_path, monkeypatch):
    return _platforms(tmp_path, monkeypatch, BOARDS)


@pytest.mark.parametrize("name,expected", [
    ("my_l433", ("cortex-m4", "fpv4-sp-d16", "specialized", "dwt", "uart", 80, 262144, 65536)),
    ("MY_L433", ("cortex-m4", "fpv4-sp-d16", "specialized", "dwt", "uart", 80, 262144, 65536)),
    ("my_f103", ("cortex-m3", "none", "cmsis-nn", "dwt", "uart", 72, 65536, 20480)),
    ("my_g071", ("cortex-m0plus", "none", "cmsis-nn", "none", "uart", 64, 131072, 36864)),
    ("my_f767", ("cortex-m7", "fpv5-d16", "specialized", "dwt", "uart", 216, 1048576, 131072)),
    ("my_f722", ("cortex-m7", "fpv5-sp-d16", "specialized", "dwt", "uart", 216, 1048576, 131072)),
    ("my_rp2040", ("cortex-m0plus", "none", "cmsis-nn", "rp2040_timer", "usb", 133, 2097152, 270336)),
    ("my_rp2350", ("cortex-m33", "fpv5-sp-d16", "specialized", "dwt", "usb", 150, 4194304, 524288)),
    ("my_s3", ("xtensa-lx7", "xtensa-sp", "specialized", "esp_cpu", "usb", 240, 8388608, 327680)),
    ("my_c3", ("rv32imc", "none", "specialized", "esp_cpu", "uart", 160, 4194304, 327680)),
    ("fakeesp:shared_id", ("xtensa-lx6", "xtensa-sp", "specialized", "esp_cpu", "uart", 240, 4194304, 327680)),
])
def test_manifest_board(installed, name, expected):
    b = get_board(name)
    core, fpu, backend, counter, serial, mhz, flash, ram = expected
    assert (b.core, b.fpu, b.backend, b.cycle_counter, b.serial) == (core, fpu, backend, counter, serial)
    assert (b.clock_hz // 1_000_000, b.flash_bytes, b.ram_bytes) == (mhz, flash, ram)
    assert b.framework == "arduino" and b.pio_board == b.id and b.platform in BOARDS
    assert b.path.parent.parent.name == b.platform and b.source == f"PlatformIO manifest {b.path}"
    assert 0 < b.framework_flash_bytes <= b.flash_bytes // 2 and 0 < b.framework_ram_bytes <= b.ram_bytes // 2
    if b.is_cortex_m:
        hard = (f"-mfpu={fpu}", "-mfloat-abi=hard") if fpu != "none" else ("-mfloat-abi=soft",)
        assert b.cflags == (f"-mcpu={core}", "-mthumb", *hard) and b.check_compiler == ("arm-none-eabi-gcc",
                                                                                         *b.cflags)
    if name == "my_s3":
        assert b.name == "My S3 friends"  # only what platformio.ini and C comments can hold


def test_curated_boards_come_before_platformio(installed):
    assert get_board("nucleo_f446re").source == "tinygen target targets/nucleo_f446re.toml"
    assert get_board("nucleo_f446re").ram_bytes == 131072


@pytest.mark.parametrize("name,problem,fix", [
    ("my_m23", "PlatformIO board 'my_m23' (…my_m23.json) has core 'cortex-m23', which tinygen cannot compile for",
     "known cores: cortex-m0, cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m33, xtensa-lx6, xtensa-lx7, "
     "rv32imc, rv32imac; or describe the board in a .toml file in a TINYGEN_TARGETS directory"),
    ("my_zephyr_only", "PlatformIO board 'my_zephyr_only' (…) supports only zephyr", "the generated demo runs on "
     "arduino"),
    ("my_sizeless", "PlatformIO board 'my_sizeless' (…) gives no upload.maximum_ram_size", "TINYGEN_TARGETS"),
    ("shared_id", "PlatformIO board 'shared_id' is defined by 2 installed platforms",
     "name one: 'fakeesp:shared_id' or 'fakestm:shared_id'"),
    ("my_l43", "unknown board 'my_l43'", "did you mean 'my_l433'"),
])
def test_manifest_board_refused(installed, name, problem, fix):
    with pytest.raises(TinygenError) as e:
        get_board(name)
    assert re.fullmatch(".*".join(map(re.escape, problem.split("…"))), e.value.problem), e.value.problem
    assert fix in e.value.fix, e.value.fix


def test_unknown_core_is_one_line_on_the_command_line(installed):
    result = CliRunner().invoke(main, ["build", str(DIGITS), "--board", "my_m23"])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: PlatformIO board 'my_m23' (")
    assert " — known cores: cortex-m0, " in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("board_id", ["my_l433", "my_f103", "my_g071", "my_rp2350", "my_s3", "my_c3"])
def test_build_a_manifest_board_and_compile_for_its_core(installed, tmp_path, board_id):
    """`tinygen build` for a board PlatformIO alone knows: the project names its board data, PlatformIO's parser
    reads it, and its sources compile for the core with -Werror."""
    from platformio.project.config import ProjectConfig

    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(DIGITS), "--board", board_id, "-o", str(out)])
    assert result.exit_code == 0, result.output
    b = get_board(board_id)
    ini = (out / "platformio.ini").read_text()
    assert f"; board data: PlatformIO manifest {installed / b.platform / 'boards' / f'{board_id}.json'}\n" in ini
    config = ProjectConfig(str(out / "platformio.ini"), parse_extra=False)
    assert config.get(f"env:{board_id}", "board") == board_id
    assert config.get(f"env:{board_id}", "platform") == b.platform
    assert config.validate(silent=True)
    main_c = (out / "src" / "main.c").read_text()
    assert ("#define TG_HAVE_COUNTER 0" in main_c) == (b.cycle_counter in ("none", "esp_cpu"))
    _compile(b.check_compiler, WARNINGS, generate(DIGITS, b, backend="portable").files, tmp_path / "c")


def test_boards_lists_curated_and_all_adds_the_installed(installed):
    plain = CliRunner().invoke(main, ["boards"])
    assert plain.exit_code == 0 and "my_l433" not in plain.output
    assert len(plain.output.splitlines()) == len(CURATED) + 1
    full = CliRunner().invoke(main, ["boards", "--all"])
    assert full.exit_code == 0, full.output
    assert full.output.startswith(plain.output)
    extra = full.output[len(plain.output):]
    assert f"PlatformIO boards installed in {installed}:" in extra
    rows = {line.split()[0]: line.split() for line in extra.splitlines()[2:] if line.startswith(" ")}
    assert rows["my_l433"][:2] == ["my_l433", "fakestm"] and "cortex-m4" in rows["my_l433"]
    assert rows["my_s3"][:2] == ["my_s3", "fakeesp"] and "xtensa-lx7" in rows["my_s3"]
    assert "my_m23" not in rows and "nucleo_f446re" in rows  # another platform's board of that id
    assert "not usable: 1 board that has core 'cortex-m23'" in extra
    assert "not usable: 1 board that supports only zephyr" in extra


def test_boards_all_with_nothing_installed(tmp_path, monkeypatch):
    platforms = _platforms(tmp_path, monkeypatch, {})
    result = CliRunner().invoke(main, ["boards", "--all"])
    assert result.exit_code == 0
    assert f"PlatformIO boards installed in {platforms}: 0" in result.output
    assert "pio pkg install" in result.output


def test_toml_board_names_its_file(tmp_path, monkeypatch):
    text = get_board("nucleo_f446re").path.read_text().replace('aliases = ["f446re"]', 'aliases = ["mine"]')
    (tmp_path / "my_board.toml").write_text(text)
    monkeypatch.setenv("TINYGEN_TARGETS", str(tmp_path))
    assert get_board("mine").source == f"TINYGEN_TARGETS file {tmp_path / 'my_board.toml'}"


@pytest.mark.parametrize("edit,message", [
    (lambda s: s.replace('platform = "ststm32"', 'platform = "https://x/y z"'), "platformio.platform"),
    (lambda s: s.replace("monitor_speed = 115200", 'monitor_speed = 115200\nserial = "bluetooth"'),
     "platformio.serial 'bluetooth'"),
])
def test_malformed_new_fields(tmp_path, monkeypatch, edit, message):
    (tmp_path / "bad.toml").write_text(edit(get_board("nucleo_f446re").path.read_text()))
    monkeypatch.setenv("TINYGEN_TARGETS", str(tmp_path))
    with pytest.raises(TinygenError, match=message):
        all_boards()
