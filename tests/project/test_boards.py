"""Board data (targets/*.toml): every board loads and says what PlatformIO and the compilers need; names,
aliases and the unknown-board message; TINYGEN_TARGETS boards and malformed files; `tinygen boards`."""
import pytest
from click.testing import CliRunner

from tinygen.boards import all_boards, get_board, table_rows
from tinygen.cli import main
from tinygen.errors import TinygenError

# id → (PlatformIO platform, PlatformIO board, core, backend, cycle counter)
EXPECTED = {
    "nucleo_f446re": ("ststm32", "nucleo_f446re", "cortex-m4", "specialized", "dwt"),
    "nucleo_h743zi": ("ststm32", "nucleo_h743zi", "cortex-m7", "specialized", "dwt"),
    "disco_f746ng": ("ststm32", "disco_f746ng", "cortex-m7", "specialized", "dwt"),
    "nrf52840_dk": ("nordicnrf52", "nrf52840_dk", "cortex-m4", "specialized", "dwt"),
    "teensy41": ("teensy", "teensy41", "cortex-m7", "specialized", "dwt"),
    "pico": ("raspberrypi", "pico", "cortex-m0plus", "cmsis-nn", "rp2040_timer"),
    "esp32dev": ("espressif32", "esp32dev", "xtensa-lx6", "specialized", "esp_cpu"),
    "esp32-s3-devkitc-1": ("espressif32", "esp32-s3-devkitc-1", "xtensa-lx7", "specialized", "esp_cpu"),
    "esp32-c3-devkitm-1": ("espressif32", "esp32-c3-devkitm-1", "rv32imc", "specialized", "esp_cpu"),
}

NUCLEO = (get_board("nucleo_f446re").path.read_text())


def test_every_board():
    boards = all_boards()
    assert set(EXPECTED) <= set(boards)
    for board_id, (platform, pio_board, core, backend, counter) in EXPECTED.items():
        b = boards[board_id]
        assert (b.platform, b.pio_board, b.core, b.backend, b.cycle_counter) == (platform, pio_board, core, backend,
                                                                                 counter), board_id
        assert b.framework == "arduino"
        assert b.framework_flash_bytes < b.flash_bytes and b.framework_ram_bytes < b.ram_bytes
        if b.is_cortex_m:
            assert f"-mcpu={b.core}" in b.cflags and "-mthumb" in b.cflags
            assert b.compiler == "arm-none-eabi-gcc" and b.check_compiler == (b.compiler, *b.cflags)
            hard = b.fpu != "none"
            assert (f"-mfpu={b.fpu}" in b.cflags) == hard
            assert ("-mfloat-abi=hard" if hard else "-mfloat-abi=soft") in b.cflags
    assert boards["esp32-c3-devkitm-1"].check_compiler[:3] == ("riscv64-unknown-elf-gcc", "-march=rv32imc",
                                                              "-mabi=ilp32")
    assert boards["esp32dev"].check_compiler == ("gcc", "-m32")


@pytest.mark.parametrize("name,board_id", [
    ("esp32", "esp32dev"), ("esp32s3", "esp32-s3-devkitc-1"), ("esp32c3", "esp32-c3-devkitm-1"),
    ("ESP32", "esp32dev"), ("NUCLEO_F446RE", "nucleo_f446re"), ("teensy41", "teensy41"), ("rp2040", "pico"),
])
def test_names_and_aliases(name, board_id):
    assert get_board(name).id == board_id


def test_unknown_board_suggests_close_names():
    with pytest.raises(TinygenError) as e:
        get_board("nucleo_f446")
    assert "unknown board 'nucleo_f446'" in e.value.problem
    assert "'nucleo_f446re'" in e.value.fix and "tinygen boards" in e.value.fix
    with pytest.raises(TinygenError) as e:
        get_board("zzzz")
    assert "did you mean" not in e.value.fix


def test_extra_targets_dir(tmp_path, monkeypatch):
    (tmp_path / "tiny_m4.toml").write_text(NUCLEO.replace('aliases = ["f446re"]', 'aliases = ["tiny"]')
                                           .replace("ram_bytes = 131_072", "ram_bytes = 16_384"))
    # A file with a built-in board's name replaces that board.
    (tmp_path / "pico.toml").write_text(get_board("pico").path.read_text().replace("Raspberry Pi Pico", "My Pico"))
    builtin = len(all_boards())
    monkeypatch.setenv("TINYGEN_TARGETS", str(tmp_path))
    assert get_board("tiny").id == "tiny_m4" and get_board("tiny").ram_bytes == 16_384
    assert get_board("pico").name == "My Pico"
    assert len(all_boards()) == builtin + 1


@pytest.mark.parametrize("edit,message", [
    (lambda s: s.replace("[kernels]", "[kernels]\nspeed = 3"), "unknown field 'kernels.speed'"),
    (lambda s: s.replace("ram_bytes = 131_072", 'ram_bytes = "128K"'), "'memory.ram_bytes' must be a int"),
    (lambda s: s.replace('backend = "specialized"', 'backend = "tflm"'), "backend 'tflm'"),
    (lambda s: s.replace('core = "cortex-m4"', 'core = "rv32imc"').replace('backend = "specialized"',
                                                                             'backend = "cmsis-nn"'),
     "needs an Arm Cortex-M core"),
    (lambda s: s.replace('core = "cortex-m4"', 'core = "cortex-m0plus"').replace('backend = "specialized"',
                                                                                   'backend = "portable"'),
     "has no DWT cycle counter"),
    (lambda s: s.replace('framework = "arduino"', 'framework = "zephyr"'), "framework 'zephyr'"),
    (lambda s: s.replace('mcu = "STM32F446RE"\n', ""), "missing field 'mcu'"),
    (lambda s: s + "\n[extra]\nx = 1\n", "unknown table [extra]"),
    (lambda s: s.replace("[cpu]", "[cpu"), "not valid TOML"),
    (lambda s: s.replace('name = "ST Nucleo-F446RE"', 'name = "100% \\"fast\\" */"'), "name '100% \"fast\" */'"),
    (lambda s: s.replace('aliases = ["f446re"]', 'aliases = ["my board"]'), "an alias 'my board'"),
])
def test_malformed_board_file(tmp_path, monkeypatch, edit, message):
    (tmp_path / "bad.toml").write_text(edit(NUCLEO))
    monkeypatch.setenv("TINYGEN_TARGETS", str(tmp_path))
    with pytest.raises(TinygenError) as e:
        all_boards()
    assert "bad.toml" in e.value.problem and message in e.value.problem


def test_boards_command():
    result = CliRunner().invoke(main, ["boards"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["board", "aliases", "name", "core"]
    for board_id in EXPECTED:
        assert any(line.split()[0] == board_id for line in lines[1:]), board_id
    assert len(table_rows()) == len(lines) - 1
