"""`tinygen build`: for every board, a platformio.ini PlatformIO's own parser reads as intended and sources that
compile with -Werror for the board's instruction set; the demo's verdict on the host; the write rules (user files
kept, --force, byte-identical rebuilds, stale files, atomic creation, rebuilds interrupted at every step leaving the
complete old or new project) and the fit check."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.helpers import int8_tflite, keras_model, mlperf_model

from tinygen.boards import all_boards, get_board
from tinygen.cli import main
from tinygen.errors import TinygenError
from tinygen.project import build, generate
from tinygen.writer import BACKUP_SUFFIX, MANIFEST, write_project

BOARDS = sorted(all_boards())
CORTEX_M = [b for b in BOARDS if get_board(b).is_cortex_m]
WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Werror", "-O2"]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A small int8 CNN (conv, depthwise, pool, reshape, dense) and the same network with float32 and uint8 I/O."""
    import tensorflow as tf

    layers = lambda: [tf.keras.layers.Conv2D(4, 3, activation="relu"),  # noqa: E731
                      tf.keras.layers.DepthwiseConv2D(3, padding="same"), tf.keras.layers.MaxPooling2D(2),
                      tf.keras.layers.Reshape((36,)), tf.keras.layers.Dense(6)]
    root = tmp_path_factory.mktemp("models")
    paths = {}
    for io in ("int8", "float32", "uint8"):
        model = keras_model(layers(), (8, 8, 3), seed=7)
        paths[io] = root / f"tiny_cnn_{io}.tflite"
        paths[io].write_bytes(int8_tflite(model, (8, 8, 3), seed=7, io_dtype=io))
    # 16x8, int16 I/O: convolutions and dense only (tinygen has no int16 pooling yet).
    model = keras_model([tf.keras.layers.Conv2D(4, 3, activation="relu"), tf.keras.layers.DepthwiseConv2D(3),
                         tf.keras.layers.Reshape((64,)), tf.keras.layers.Dense(6)], (8, 8, 3), seed=7)
    paths["int16"] = root / "tiny_cnn_int16.tflite"
    paths["int16"].write_bytes(int8_tflite(model, (8, 8, 3), seed=7, activations="int16"))
    return paths


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


_COMPILED: set[tuple] = set()  # (compiler and flags, headers, source): boards sharing a core share the kernels


def _compile(compiler, flags, project_files: dict[str, bytes], work: Path) -> None:
    """Compile (-c) every C file of the project as PlatformIO would see it: src/ and lib/<model>/."""
    if shutil.which(compiler[0]) is None:
        pytest.skip(f"{compiler[0]} not installed")
    for rel, data in project_files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(data)
    model_dirs = sorted({str(Path(rel).parent) for rel in project_files
                         if rel.startswith("lib/") and rel.endswith(".h") and "cmsis-nn" not in rel})
    headers = tuple(sorted((Path(rel).name, data) for rel, data in project_files.items() if rel.endswith(".h")))
    keys = {rel: (tuple(compiler), tuple(flags), headers, Path(rel).name, project_files[rel])
            for rel in project_files if rel.endswith(".c")}
    sources = sorted(rel for rel, key in keys.items() if key not in _COMPILED)
    cmd = [*compiler, *flags, *[f"-I{d}" for d in model_dirs], "-c", *sources]
    result = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(cmd[:8])} ...\n{result.stderr[-3000:]}"
    assert len(list(work.rglob("*.o"))) == len(sources)
    _COMPILED.update(keys[rel] for rel in sources)


# ---- platformio.ini and library.json, read by PlatformIO ----

@pytest.mark.parametrize("board_id", BOARDS)
def test_platformio_ini(tmp_path, models, board_id):
    from platformio.package.manifest.parser import ManifestParserFactory
    from platformio.project.config import ProjectConfig

    board = get_board(board_id)
    project = generate(models["int8"], board)
    name = project.program.name
    (tmp_path / "platformio.ini").write_bytes(project.files["platformio.ini"])
    config = ProjectConfig(str(tmp_path / "platformio.ini"), parse_extra=False)
    assert config.envs() == [board_id] and config.default_envs() == [board_id]
    env = f"env:{board_id}"
    assert config.get(env, "platform") == board.platform
    assert config.get(env, "board") == board.pio_board
    assert config.get(env, "framework") == [board.framework]
    assert config.get(env, "monitor_speed") == board.monitor_speed
    assert config.get(env, "build_unflags") == ["-Os"]
    flags = config.get(env, "build_flags")
    assert "-O2" in flags and f"-Ilib/{name}" in flags
    assert config.validate(silent=True)

    manifests = {rel: ManifestParserFactory.new(data.decode(), "library.json").as_dict()
                 for rel, data in project.files.items() if rel.endswith("library.json")}
    assert manifests[f"lib/{name}/library.json"]["name"] == name
    if board.backend == "cmsis-nn":
        assert "-DTINYGEN_USE_CMSIS_NN" in flags
        checkout = "cmsis-nn-src"
        assert config.get(env, "lib_deps") == [f"{checkout}=https://github.com/ARM-software/CMSIS-NN.git#v7.0.0"]
        assert config.get(env, "lib_ignore") == [checkout]
        wrapper = manifests["lib/cmsis-nn/library.json"]["build"]
        assert wrapper["srcDir"] == f"../../.pio/libdeps/{board_id}/{checkout}/Source"
        assert wrapper["includeDir"] == f"../../.pio/libdeps/{board_id}/{checkout}/Include"
        assert manifests[f"lib/{name}/library.json"]["dependencies"] == [{"name": "cmsis-nn"}]
    else:
        assert not config.get(env, "lib_deps") and "lib/cmsis-nn/library.json" not in project.files
        assert "-DTINYGEN_USE_CMSIS_NN" not in flags


def test_cmsis_nn_wrapper_selects_integer_sources(models):
    """The wrapper's srcFilter, applied by PlatformIO's own matcher to a CMSIS-NN tree: Source/'s integer kernels
    only (no float, no Python bindings); Examples/ and Tests/ are outside srcDir."""
    from platformio import fs

    root = os.environ.get("TINYGEN_CMSIS_NN")
    if not root or not (Path(root) / "Source").is_dir():
        pytest.skip("TINYGEN_CMSIS_NN does not point at a CMSIS-NN source tree")
    project = generate(models["int8"], get_board("nucleo_f446re"), backend="cmsis-nn")
    wrapper = json.loads(project.files["lib/cmsis-nn/library.json"])
    files = fs.match_src_files(str(Path(root) / "Source"), wrapper["build"]["srcFilter"], ["c", "cpp"])
    assert files and all(f.endswith(".c") for f in files)
    assert not [f for f in files if "_f16" in f or "_f32" in f or f.startswith("Bindings")]
    assert any("arm_fully_connected_s8.c" in f for f in files)


# ---- the generated sources on each board's instruction set ----

@pytest.mark.parametrize("board_id", BOARDS)
def test_sources_compile_for_the_core(tmp_path, models, board_id):
    board = get_board(board_id)
    project = generate(models["int8"], board, backend="portable")
    _compile(board.check_compiler, WARNINGS, project.files, tmp_path)


@pytest.mark.parametrize("board_id", CORTEX_M)
def test_cmsis_nn_sources_compile_for_the_core(tmp_path, models, board_id):
    root = os.environ.get("TINYGEN_CMSIS_NN")
    if not root or not (Path(root) / "Include" / "arm_nnfunctions.h").is_file():
        pytest.skip("TINYGEN_CMSIS_NN does not point at a CMSIS-NN source tree")
    board = get_board(board_id)
    project = generate(models["int8"], board, backend="cmsis-nn")
    assert project.backend == "cmsis-nn"
    _compile(board.check_compiler, WARNINGS + ["-DTINYGEN_USE_CMSIS_NN", f"-I{Path(root) / 'Include'}"],
             project.files, tmp_path)


@pytest.mark.parametrize("io", ["int8", "float32", "int16", "uint8"])
def test_demo_passes_on_the_host(tmp_path, models, io):
    """The ESP32 project's main.c (no cycle counter off-target) built for the host: PASS and TFLM's checksum."""
    try:
        project = generate(models[io], get_board("esp32dev"))
    except TinygenError as e:
        pytest.skip(f"tinygen refuses the {io}-I/O model: {e}")
    for rel, data in project.files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    lib = f"lib/{project.program.name}"
    sources = ["src/main.c"] + sorted(r for r in project.files if r.startswith(lib) and r.endswith(".c"))
    subprocess.run(["cc", *WARNINGS, f"-I{lib}", *sources, "-o", "demo", "-lm"], cwd=tmp_path, check=True)
    run = subprocess.run(["./demo"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert ": PASS" in run.stdout
    checksum = next(line for line in run.stdout.splitlines() if line.startswith("checksum:")).split()
    assert checksum[1] == checksum[3].rstrip(")")
    assert "no cycle counter in this build" in run.stdout


@pytest.mark.parametrize("board_id,target,backend", [
    ("nucleo_f446re", "cortex-m4", "portable"), ("nucleo_h743zi", "cortex-m7", "portable"),
    ("esp32-c3-devkitm-1", "rv32imc", "portable"), ("esp32-c3-devkitm-1", "rv32imc", "specialized"),
    ("nucleo_f446re", "cortex-m4", "cmsis-nn"), ("nucleo_h743zi", "cortex-m7", "cmsis-nn"),
    ("nucleo_f446re", "cortex-m4", "specialized"), ("nucleo_h743zi", "cortex-m7", "specialized"),
])
def test_board_demo_passes_under_qemu(tmp_path, models, board_id, target, backend):
    """The board's own main.c and model library, cross-compiled for its core and run under QEMU (on-ISA
    emulation's start-up code and semihosting; QEMU does not emulate DWT->CYCCNT, so cycles read 0)."""
    from tinygen.backends import cmsis_nn
    from tinygen.emulator import host, qemu

    t = qemu.target(target)
    if shutil.which(t.compiler) is None or shutil.which(t.emulator[0]) is None:
        pytest.skip(f"{t.compiler} or {t.emulator[0]} not installed ({t.packages})")
    flags = host.WARNINGS + ["-O2"]
    sources = {}
    if backend == "cmsis-nn":
        if not os.environ.get(cmsis_nn.ENV):
            pytest.skip(f"{cmsis_nn.ENV} does not point at a CMSIS-NN source tree")
        sources.update(cmsis_nn.sources())
        flags += cmsis_nn.CFLAGS
    project = generate(models["int8"], get_board(board_id), backend=backend)
    sources.update({Path(rel).name: data.decode() for rel, data in project.files.items()
                    if rel == "src/main.c" or (rel.startswith("lib/") and rel.endswith((".c", ".h")))})
    elf = qemu.build(sources, t, flags)
    run = subprocess.run([*t.emulator, str(elf)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and ": PASS" in run.stdout + run.stderr, run.stdout + run.stderr


def test_main_c_counts_cycles_per_board(models):
    text = {b: generate(models["int8"], get_board(b), backend="portable").files["src/main.c"].decode()
            for b in ("nucleo_f446re", "nucleo_h743zi", "pico", "esp32-c3-devkitm-1")}
    assert "0xE0001004u" in text["nucleo_f446re"] and "TG_DWT_LAR" not in text["nucleo_f446re"]
    assert "TG_DWT_LAR = 0xC5ACCE55u" in text["nucleo_h743zi"]  # Cortex-M7 DWT unlock
    assert "0x40054028u" in text["pico"] and "DWT" not in text["pico"]
    assert "esp_cpu_get_cycle_count" in text["esp32-c3-devkitm-1"]


# ---- writing the project ----

def test_rebuild_is_byte_identical(tmp_path, models):
    out = tmp_path / "fw"
    first = build(models["int8"], "pico", out)
    tree = _tree(out)
    assert set(tree) == set(first.project.files) | {MANIFEST}
    second = build(models["int8"], "pico", out)
    assert _tree(out) == tree
    assert second.write.written == [] and sorted(second.write.unchanged) == sorted(first.project.files)
    assert [p.name for p in tmp_path.iterdir()] == ["fw"]  # no staging directory left behind


def test_user_files_are_kept(tmp_path, models):
    out = tmp_path / "fw"
    build(models["int8"], "esp32", out)
    (out / "notes.txt").write_text("mine")
    (out / "src" / "extra.c").write_text("int extra;\n")
    with pytest.raises(TinygenError) as e:
        build(models["int8"], "esp32", out)
    assert "notes.txt" in e.value.problem and "src/extra.c" in e.value.problem and "--force" in e.value.fix
    result = build(models["int8"], "esp32", out, force=True)
    assert (out / "notes.txt").read_text() == "mine" and (out / "src" / "extra.c").read_text() == "int extra;\n"
    assert result.write.backed_up == {}


def test_changed_files_are_the_users(tmp_path, models):
    """A file tinygen wrote and the user edited is the user's: refused, then kept as <name>.orig with --force."""
    out = tmp_path / "fw"
    build(models["int8"], "esp32", out)
    (out / "src" / "main.c").write_text("/* my demo */\n")
    with pytest.raises(TinygenError, match="src/main.c"):
        build(models["int8"], "esp32", out)
    result = build(models["int8"], "esp32", out, force=True)
    assert result.write.backed_up == {"src/main.c": f"src/main.c{BACKUP_SUFFIX}"}
    assert (out / "src" / f"main.c{BACKUP_SUFFIX}").read_text() == "/* my demo */\n"
    assert (out / "src" / "main.c").read_bytes() == result.project.files["src/main.c"]
    # The backup is a user file from now on.
    with pytest.raises(TinygenError, match=f"main.c{BACKUP_SUFFIX}"):
        build(models["int8"], "esp32", out)


def test_existing_project_refused_then_kept(tmp_path, models):
    out = tmp_path / "existing"
    (out / "src").mkdir(parents=True)
    (out / "platformio.ini").write_text("[env:mine]\n")
    (out / "src" / "main.c").write_text("int main(void) { return 0; }\n")
    (out / "lib").write_text("a file where tinygen needs a directory")
    with pytest.raises(TinygenError, match="holds files tinygen did not write"):
        build(models["int8"], "esp32", out)
    assert (out / "platformio.ini").read_text() == "[env:mine]\n"  # nothing touched
    result = build(models["int8"], "esp32", out, force=True)
    assert result.write.backed_up == {"lib": f"lib{BACKUP_SUFFIX}", "platformio.ini": f"platformio.ini{BACKUP_SUFFIX}",
                                      "src/main.c": f"src/main.c{BACKUP_SUFFIX}"}
    assert (out / f"platformio.ini{BACKUP_SUFFIX}").read_text() == "[env:mine]\n"
    assert (out / f"lib{BACKUP_SUFFIX}").read_text() == "a file where tinygen needs a directory"
    assert (out / "lib").is_dir()


def test_tool_directories_and_stale_files(tmp_path, models):
    """PlatformIO's .pio/ and .vscode/ are neither ours nor the user's; tinygen's own files of an earlier build
    that the new one does not write are removed (not the user's)."""
    ad01 = mlperf_model("ad01_int8")
    out = tmp_path / "fw"
    build(ad01, "nucleo_f446re", out)
    (out / ".pio" / "build").mkdir(parents=True)
    (out / ".pio" / "build" / "firmware.elf").write_bytes(b"\x7fELF")
    (out / ".vscode").mkdir()
    (out / ".vscode" / "settings.json").write_text("{}")
    (out / "lib" / "ad01_int8" / "my_notes.md").write_text("mine")
    with pytest.raises(TinygenError, match="my_notes.md"):
        build(models["int8"], "nucleo_f446re", out)
    result = build(models["int8"], "nucleo_f446re", out, force=True)
    assert not (out / "lib" / "ad01_int8" / "ad01_int8.c").exists()
    assert "lib/ad01_int8/ad01_int8.c" in result.write.removed
    assert (out / "lib" / "ad01_int8" / "my_notes.md").read_text() == "mine"
    assert (out / ".pio" / "build" / "firmware.elf").read_bytes() == b"\x7fELF"
    assert (out / ".vscode" / "settings.json").read_text() == "{}"
    name = result.project.program.name
    assert (out / "lib" / name / f"{name}.c").is_file()


def test_output_path_is_a_file(tmp_path):
    (tmp_path / "fw").write_text("x")
    with pytest.raises(TinygenError, match="is a file"):
        write_project({"a.txt": b"a"}, tmp_path / "fw")


# ---- fit check ----

@pytest.fixture
def small_boards(tmp_path, monkeypatch):
    """TINYGEN_TARGETS boards: a Cortex-M4 with 16 KiB of RAM left for the model and one with 96 KiB of flash."""
    nucleo = get_board("nucleo_f446re").path.read_text()
    targets = tmp_path / "targets"
    targets.mkdir()
    (targets / "small_ram.toml").write_text(nucleo.replace('aliases = ["f446re"]', "aliases = []")
                                            .replace("ram_bytes = 131_072", "ram_bytes = 17_408"))
    (targets / "small_flash.toml").write_text(nucleo.replace('aliases = ["f446re"]', "aliases = []")
                                              .replace("flash_bytes = 524_288", "flash_bytes = 98_304"))
    monkeypatch.setenv("TINYGEN_TARGETS", str(targets))


def test_fit_check_refuses_and_force_overrides(tmp_path, models, small_boards):
    # The tiny CNN fits both.
    build(models["int8"], "small_ram", tmp_path / "ok_ram")
    build(models["int8"], "small_flash", tmp_path / "ok_flash")
    ad01 = mlperf_model("ad01_int8")
    # ad01: 264 KiB of weights exceed 96 KiB of flash.
    with pytest.raises(TinygenError) as e:
        build(ad01, "small_flash", tmp_path / "no")
    assert "of flash on the ST Nucleo-F446RE" in e.value.problem and "--force" in e.value.fix
    assert not (tmp_path / "no").exists()
    result = build(ad01, "small_flash", tmp_path / "forced", force=True)
    assert (tmp_path / "forced" / "platformio.ini").is_file() and "of flash" in result.summary()


def test_fit_check_counts_ram(tmp_path, small_boards):
    """A model whose arena alone exceeds the RAM left: a 64x64x16 activation is 64 KiB."""
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Conv2D(16, 1), tf.keras.layers.Conv2D(16, 1)], (64, 64, 4), seed=1)
    path = tmp_path / "wide.tflite"
    path.write_bytes(int8_tflite(model, (64, 64, 4), seed=1))
    with pytest.raises(TinygenError) as e:
        build(path, "small_ram", tmp_path / "no")
    assert "of RAM on the ST Nucleo-F446RE, model " in e.value.problem and ": arena " in e.value.problem


def test_teensy_counts_weights_in_ram():
    ad01 = mlperf_model("ad01_int8")
    fp = {b: generate(ad01, get_board(b)).footprint for b in ("teensy41", "nucleo_h743zi")}
    assert fp["teensy41"].ram - fp["nucleo_h743zi"].ram > fp["teensy41"].consts


# ---- command line ----

def test_build_command(tmp_path, models):
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(models["int8"]), "--board", "esp32c3", "-o", str(tmp_path / "fw")])
    assert result.exit_code == 0, result.output
    assert "Espressif ESP32-C3-DevKitM-1" in result.output and "pio run" in result.output
    assert (tmp_path / "fw" / "src" / "main.c").is_file()
    result = runner.invoke(main, ["build", str(models["int8"]), "--board", "esp32c6", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "unknown board 'esp32c6'" in result.output and "esp32c3" in result.output
    result = runner.invoke(main, ["build", str(models["int8"]), "--board", "esp32", "--backend", "cmsis-nn",
                                  "-o", str(tmp_path / "y")])
    assert result.exit_code == 2 and "cannot use CMSIS-NN" in result.output


@pytest.mark.parametrize("backend", [None, "specialized", "cmsis-nn", "portable"])
def test_build_backend_option(tmp_path, models, backend):
    """--backend picks the kernels; without it a Cortex-M4 board gets the specialized ones."""
    option = ["--backend", backend] if backend else []
    result = CliRunner().invoke(main, ["build", str(models["int8"]), "--board", "nucleo_f446re", *option,
                                       "-o", str(tmp_path / "fw")])
    assert result.exit_code == 0, result.output
    kernels = backend or "specialized"
    assert f"(cortex-m4, {kernels} kernels)" in result.output
    assert f"(cortex-m4, {kernels} kernels)" in (tmp_path / "fw" / "platformio.ini").read_text()


def test_interrupted_rebuild_recovers(tmp_path, models, monkeypatch):
    """A real rebuild that fails halfway through carrying the user's entries leaves the old project exactly, and
    the next build needs no --force."""
    import tinygen.writer as writer

    out, fresh = tmp_path / "fw", tmp_path / "fresh"
    build(models["int8"], "pico", out)
    (out / ".pio").mkdir()
    (out / ".pio" / "firmware.elf").write_bytes(b"\x7fELF")
    before = _snapshot(out)
    real_move = writer._move

    def failing_move(src, dst):
        if src.name == ".pio":
            raise OSError(28, "No space left on device")
        real_move(src, dst)

    monkeypatch.setattr(writer, "_move", failing_move)
    with pytest.raises(OSError):
        build(models["float32"], "pico", out)
    assert _snapshot(out) == before
    monkeypatch.setattr(writer, "_move", real_move)
    build(models["float32"], "pico", out)
    build(models["float32"], "pico", fresh)
    (fresh / ".pio").mkdir()
    (fresh / ".pio" / "firmware.elf").write_bytes(b"\x7fELF")
    assert _snapshot(out) == _snapshot(fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "fw"]


# ---- interruption at every step of a rebuild (synthetic projects: only the writer runs) ----

OLD = {"platformio.ini": b"[env:old]\n", "src/main.c": b"int main(void) { return 0; }\n",
       "lib/old/old.c": b"int old;\n", "lib/old/old.h": b"extern int old;\n"}
NEW = {"platformio.ini": b"[env:new]\n", "src/main.c": OLD["src/main.c"], "lib/new/new.c": b"int new;\n",
       "README.md": b"# generated\n", "docs/model.md": b"tinygen's\n"}


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root, byte for byte: files, symbolic links (target), directories (also empty ones)."""
    snap = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                snap[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                snap[rel] = ("dir",)
            else:
                snap[rel] = ("file", path.read_bytes())
    return snap


def _old_project(out: Path) -> dict[str, tuple]:
    """tinygen's OLD project plus every kind of entry of the user's and PlatformIO's."""
    write_project(OLD, out)
    (out / "notes.txt").write_text("mine")
    (out / "src" / "extra.c").write_text("int extra;\n")  # beside tinygen's files
    (out / "lib" / "old" / "my_notes.md").write_text("mine")  # in a directory the new build drops
    (out / "README.md").write_text("my readme")  # where the new build writes a file
    (out / "docs").write_text("a file where the new build needs a directory")
    (out / "empty").mkdir()
    (out / "data").mkdir()
    (out / "data" / "samples.bin").write_bytes(bytes(range(256)))
    (out / "link").symlink_to("src/main.c")
    (out / ".pio" / "build").mkdir(parents=True)
    (out / ".pio" / "build" / "firmware.elf").write_bytes(b"\x7fELF")
    (out / ".vscode").mkdir()
    (out / ".vscode" / "settings.json").write_text("{}")
    return _snapshot(out)


def _expected_new(old: dict[str, tuple]) -> dict[str, tuple]:
    """The rebuilt tree: NEW, its manifest, and every user entry (two moved aside to .orig)."""
    want = {rel: v for rel, v in old.items()
            if not (rel in OLD or rel == MANIFEST or rel in ("lib/old/old.c", "lib/old/old.h"))}
    want["README.md" + BACKUP_SUFFIX] = want.pop("README.md")
    want["docs" + BACKUP_SUFFIX] = want.pop("docs")
    for rel, data in NEW.items():
        want[rel] = ("file", data)
        for parent in Path(rel).parents[:-1]:
            want[parent.as_posix()] = ("dir",)
    want[MANIFEST] = ("file", None)
    return want


def _matches(snap: dict[str, tuple], want: dict[str, tuple]) -> bool:
    return snap.keys() == want.keys() and all(want[k][1:] in ((None,), snap[k][1:]) for k in want)


class Killed(BaseException):
    """The process dies here: nothing after this point runs, not even the in-process recovery."""


CARRIES = 10  # entries of _old_project's that a rebuild moves (test_rebuild_switches_user_entries checks)
STEPS = [(step, "renameat2") for step in ["stage", "journal", *(f"carry{i}" for i in range(CARRIES)), "exchange",
                                          "cleanup"]] + [(step, "fallback") for step in ["aside", "swap", "cleanup"]]


@pytest.mark.parametrize("how", ["error", "kill"])
@pytest.mark.parametrize("step,exchange", STEPS)
def test_interruption_leaves_old_or_new(tmp_path, monkeypatch, step, exchange, how):
    """Fail (an exception, then in-process recovery) or die (no recovery until the next build) at each step of a
    rebuild, with the atomic exchange or its fallback (out → aside, staging → out): right after, every user entry
    exists exactly once, unchanged, at the target or where the journal says; after recovery the target is the
    complete old tree byte for byte (before the switch) or the complete new one (after it), nothing is left beside
    it, and the rebuild run again completes."""
    import tinygen.writer as writer

    out = tmp_path / "fw"
    old = _old_project(out)
    new = _expected_new(old)
    error = OSError(28, "No space left on device") if how == "error" else Killed()

    def fail(*_):
        raise error

    real_move, real_rename, real_write = writer._move, os.rename, writer._write_tree
    moves = []
    if exchange == "fallback":
        monkeypatch.setattr(writer, "_exchange", lambda a, b: False)
    elif step == "exchange":
        monkeypatch.setattr(writer, "_exchange", fail)
    if step == "stage":
        def partial(root, files, **kw):
            real_write(root, dict(list(files.items())[:2]), **kw)
            raise error
        monkeypatch.setattr(writer, "_write_tree", partial)
    if step == "journal":
        monkeypatch.setattr(writer, "_write_journal", fail)
    if step.startswith("carry"):
        def move(src, dst):
            moves.append(src)
            if len(moves) == int(step[5:]) + 1:
                raise error
            real_move(src, dst)
        monkeypatch.setattr(writer, "_move", move)
    if step in ("aside", "swap"):
        def rename(src, dst):
            if Path(src if step == "aside" else dst) == out and not moves:  # out → aside, or staging → out
                moves.append(src)  # only once: the in-process recovery's own renames work
                raise error
            real_rename(src, dst)
        monkeypatch.setattr(writer.os, "rename", rename)
    if step == "cleanup":
        monkeypatch.setattr(writer.shutil, "rmtree", fail)
    journal = tmp_path / f".fw{writer.STAGING_TAG}journal"
    if how == "kill":
        def no_recovery(_):  # a dead process recovers nothing; killed at cleanup = before the old tree is gone
            if step == "cleanup" and journal.exists():
                raise error
        monkeypatch.setattr(writer, "_recover", no_recovery)
    with pytest.raises(type(error)):
        write_project(NEW, out, force=True)

    # Right after: each user entry exists exactly once, unchanged, at the target or where the journal says.
    roots = [out]
    if journal.exists():
        names = json.loads(journal.read_text())
        roots += [tmp_path / names["staging"], tmp_path / names["aside"]]
    renamed = {"README.md": f"README.md{BACKUP_SUFFIX}", "docs": f"docs{BACKUP_SUFFIX}"}
    for rel, value in old.items():
        if rel in (MANIFEST, "src", "lib", "lib/old") or rel in OLD or rel.startswith("lib/old/old."):
            continue  # tinygen's
        at = [(root, r) for root in roots for r in {rel, renamed.get(rel, rel)}
              if os.path.lexists(root / r) and _snapshot(root).get(r) == value]
        assert len(at) == 1, f"{rel}: {at}"
    if journal.exists():
        assert not [p for p in tmp_path.iterdir() if p.name != "fw" and p not in roots and p != journal]

    monkeypatch.undo()
    committed = step == "cleanup"
    if how == "kill" or committed:
        writer.recover(out)  # what the next build does first
    snap = _snapshot(out)
    if committed:
        assert _matches(snap, new), sorted(set(snap) ^ set(new))
    else:
        assert snap == old, sorted(set(snap) ^ set(old))
    assert [p.name for p in tmp_path.iterdir()] == ["fw"]
    # The interrupted rebuild, run again, completes.
    write_project(NEW, out, force=True)
    assert _matches(_snapshot(out), new)


KILL_SCRIPT = """
import json, os, signal, sys
from pathlib import Path
import tinygen.writer as writer

out, where, files = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
real_move, real_exchange, moves = writer._move, writer._exchange, []
def move(src, dst):
    moves.append(src)
    if where == f"carry{len(moves) - 1}":
        die()
    real_move(src, dst)
def exchange(a, b):
    if where == "before-exchange":
        die()
    done = real_exchange(a, b)
    if where == "after-exchange":
        die()
    return done
writer._move, writer._exchange = move, exchange
writer.write_project({k: v.encode("latin-1") for k, v in files.items()}, out, force=True)
"""


@pytest.mark.parametrize("where", ["carry0", "carry4", f"carry{CARRIES - 1}", "before-exchange", "after-exchange"])
def test_sigkill_during_rebuild(tmp_path, where):
    """A real SIGKILL (no Python clean-up runs): the next build finds the complete old project (killed before the
    exchange) or the complete new one (after it), every user entry in place, nothing left beside it."""
    import sys

    import tinygen.writer as writer

    if where.endswith("exchange"):
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        if not writer._exchange(tmp_path / "a", tmp_path / "b"):
            pytest.skip("no renameat2(RENAME_EXCHANGE) here")
        (tmp_path / "a").rmdir()
        (tmp_path / "b").rmdir()
    out = tmp_path / "fw"
    old = _old_project(out)
    files = json.dumps({k: v.decode("latin-1") for k, v in NEW.items()})
    run = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(out), where, files], capture_output=True, text=True)
    assert run.returncode == -9, run.stderr
    assert (tmp_path / f".fw{writer.STAGING_TAG}journal").exists()
    writer.recover(out)  # the first thing the next build does
    if where == "after-exchange":
        assert _matches(_snapshot(out), _expected_new(old))
    else:
        assert _snapshot(out) == old
    assert [p.name for p in tmp_path.iterdir()] == ["fw"]


def test_exchange_swaps_two_directories(tmp_path):
    from tinygen.writer import _exchange

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    (tmp_path / "b").mkdir()
    if not _exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here: builds use the journaled fallback")
    assert (tmp_path / "b" / "x").read_text() == "a" and not any((tmp_path / "a").iterdir())
    with pytest.raises(FileNotFoundError):
        _exchange(tmp_path / "a", tmp_path / "missing")


def test_next_build_recovers_a_killed_one(tmp_path, monkeypatch):
    """A build killed mid-carry: the next `tinygen build` first restores the old project (so it needs --force
    for exactly the same user files as before), then writes the new one."""
    import tinygen.writer as writer

    out = tmp_path / "fw"
    old = _old_project(out)
    real_move = writer._move
    moves = []

    def move(src, dst):
        moves.append(src)
        if len(moves) == 3:
            raise Killed()
        real_move(src, dst)

    monkeypatch.setattr(writer, "_move", move)
    monkeypatch.setattr(writer, "_recover", lambda out: None)
    with pytest.raises(Killed):
        write_project(NEW, out, force=True)
    monkeypatch.undo()
    assert _snapshot(out) != old  # two entries are in the staging tree
    with pytest.raises(TinygenError, match="holds files tinygen did not write"):
        write_project(NEW, out)
    assert _snapshot(out) == old
    write_project(NEW, out, force=True)
    assert _matches(_snapshot(out), _expected_new(old))
    assert [p.name for p in tmp_path.iterdir()] == ["fw"]


def test_rebuild_switches_user_entries_and_keeps_unchanged_inodes(tmp_path, monkeypatch):
    import tinygen.writer as writer

    out = tmp_path / "fw"
    old = _old_project(out)
    main_inode = (out / "src" / "main.c").stat().st_ino
    moves = []
    real_move = writer._move
    monkeypatch.setattr(writer, "_move", lambda src, dst: (moves.append(src), real_move(src, dst)))
    result = write_project(NEW, out, force=True)
    assert len(moves) == CARRIES  # directories holding nothing of tinygen's (.pio, data) move whole
    assert _matches(_snapshot(out), _expected_new(old))
    assert result.backed_up == {"README.md": f"README.md{BACKUP_SUFFIX}", "docs": f"docs{BACKUP_SUFFIX}"}
    assert result.unchanged == ["src/main.c"] and sorted(result.removed) == ["lib/old/old.c", "lib/old/old.h"]
    assert (out / "src" / "main.c").stat().st_ino == main_inode  # PlatformIO sees it unchanged
    assert [p.name for p in tmp_path.iterdir()] == ["fw"]
    # Nothing to change: not even the directory is swapped.
    identity = (out.stat().st_ino, (out / "platformio.ini").stat().st_ino)
    again = write_project(NEW, out, force=True)
    assert again.written == [] and (out.stat().st_ino, (out / "platformio.ini").stat().st_ino) == identity


def test_default_output_directory(tmp_path, models, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = build(models["int8"], "esp32")
    assert result.write.out_dir == Path(f"{result.project.program.name}_esp32dev")
    assert (tmp_path / result.write.out_dir / "platformio.ini").is_file()
