"""Compression end to end: a teacher CNN distilled into a small student, the student pruned (75 % unstructured
and 2:4) with TensorFlow Model Optimization, each quantized to int8 and built for a Cortex-M4 and an ESP32-C3.

Data: scikit-learn's bundled 8×8 digits (no download). The student learns from the teacher's soft labels
(knowledge distillation: temperature-softened outputs) and the true labels; each pruned student starts from the
distilled one and is fine-tuned with the same loss while prune_low_magnitude zeroes its smallest weights. The
pruned students go to tinygen with their pruning wrappers still on (tinygen strips them); the sparse kernels skip
their zero weights where the cost model finds that faster, bit-exact with TFLite Micro's dense result.

    pip install -e ".[examples]"
    python examples/compress/train.py          # a few minutes on 2 cores; --quick for CI

One table at the end: per model its weights (nonzero / all), accuracy of the float model (TensorFlow), the int8
model (TFLite Micro) and the generated C (host), then for the Nucleo-F446RE build the flash and RAM tinygen
measured and the instructions per inference counted under QEMU (Cortex-M4; rv32imc for the ESP32-C3).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402
from digits.train import data  # noqa: E402

SEED = 0
CLASSES = 10
TEMPERATURE = 4.0  # softens the teacher's outputs: the student learns which wrong digits look alike
SOFT_WEIGHT = 0.7  # the soft labels' share of the student's loss, the true labels' the rest
PRUNINGS = {"75% unstructured": dict(sparsity=0.75), "2:4 structured": dict(m_by_n=(2, 4))}


def cnn(keras, name: str, widths: tuple[int, int, int]):
    """3x3 convolutions at full resolution, a pooling, a third convolution, global average: most MACs in the
    convolutions, where zero weights pay. Outputs logits."""
    a, b, c = widths
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(a, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(b, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(c, 3, padding="same", activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(CLASSES),
    ], name=name)


def distillation_loss(tf):
    """y_true = [one-hot label, teacher's softened probabilities]: the soft part as KL divergence at the
    temperature (scaled by its square, as Hinton et al., so its gradients match the hard part's), the hard part
    as cross-entropy."""
    def loss(y_true, logits):
        hard, soft = y_true[:, :CLASSES], y_true[:, CLASSES:]
        student = tf.nn.log_softmax(logits / TEMPERATURE)
        kl = tf.reduce_sum(soft * (tf.math.log(soft + 1e-9) - student), axis=1) * TEMPERATURE ** 2
        ce = tf.nn.softmax_cross_entropy_with_logits(hard, logits)
        return SOFT_WEIGHT * kl + (1 - SOFT_WEIGHT) * ce
    return loss


def train(args, x_train, y_train):
    """(teacher, student, {pruning: wrapped pruned student}); tf_keras models (TFMOT prunes Keras 2 models)."""
    from tinygen.frontend import pruning

    tfmot = pruning._tfmot()  # before tf_keras: keeps this process's tf.keras on Keras 3
    import tensorflow as tf
    import tf_keras as keras

    keras.utils.set_random_seed(SEED)
    epochs = 12 if args.quick else 40
    teacher = cnn(keras, "teacher", (32, 64, 64))
    teacher.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    teacher.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)

    soft = tf.nn.softmax(teacher.predict(x_train, verbose=0) / TEMPERATURE).numpy()
    targets = np.concatenate([np.eye(CLASSES, dtype=np.float32)[y_train], soft], axis=1)
    student = cnn(keras, "student", (8, 16, 16))
    student.compile(optimizer="adam", loss=distillation_loss(tf))
    student.fit(x_train, targets, epochs=epochs, batch_size=32, verbose=0)

    pruned = {}
    steps = len(x_train) // 32 * (epochs // 2)
    for what, how in PRUNINGS.items():
        start = keras.models.clone_model(student)
        start.set_weights(student.get_weights())
        start._name = f"student_{'2of4' if 'm_by_n' in how else round(100 * how['sparsity'])}"  # names its C model
        sparsity = how.get("sparsity", 0.5)  # m_by_n sets its own pattern; the schedule then only times it
        schedule = tfmot.sparsity.keras.PolynomialDecay(0.0, sparsity, begin_step=0, end_step=steps // 2,
                                                         frequency=10)
        wrapped = tfmot.sparsity.keras.prune_low_magnitude(start, pruning_schedule=schedule,
                                                           sparsity_m_by_n=how.get("m_by_n"))
        wrapped.compile(optimizer=keras.optimizers.Adam(1e-3), loss=distillation_loss(tf))
        wrapped.fit(x_train, targets, epochs=epochs // 2, batch_size=32, verbose=0,
                    callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
        pruned[what] = wrapped
    return teacher, student, pruned


def kernel_weights(model) -> tuple[int, int]:
    """(nonzero, all) weights of the convolution and dense kernels (of the model without its pruning wrappers,
    whose masks are weights too)."""
    from tinygen.frontend import pruning

    if pruning.has_wrappers(model):
        model = pruning.strip(model)
    kernels = [w for w in model.get_weights() if w.ndim > 1]
    return sum(int(np.count_nonzero(w)) for w in kernels), sum(w.size for w in kernels)


def footprint(tflite: Path, board_id: str) -> dict:
    """tinygen's measured flash and RAM for the board, and the layers a sparse kernel took."""
    from tinygen.boards import get_board
    from tinygen.compiler import compile_model
    from tinygen.measure import footprint as measure
    from tinygen.report import SPARSE_KERNELS, memory_report

    board = get_board(board_id)
    program = compile_model(tflite, backend=board.backend, core=board.core)
    report = memory_report(program, measure(program, board), board)
    sparse = sum(layer["kernel"] in SPARSE_KERNELS for layer in report["layers"])
    weighted = sum(layer["sparsity"] is not None for layer in report["layers"])
    return dict(flash=report["totals"]["flash_bytes"], ram=report["totals"]["ram_bytes"],
                sparse_layers=f"{sparse} of {weighted}")


def table(rows: list[dict]) -> str:
    boards = list(common.BOARDS)
    head = ["model", "weights nonzero", "float", "int8", "C", "flash (B)", "RAM (B)", "sparse layers",
            f"{common.BOARDS[boards[0]]} instr.", f"{common.BOARDS[boards[1]]} instr."]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        nonzero, total = r["weights"]
        lines.append(f"| {r['name']} | {nonzero:,} / {total:,} | {r['float']:.3f} | {r['int8']:.3f} | {r['c']:.3f} | "
                     f"{r['flash']:,} | {r['ram']:,} | {r['sparse_layers']} | " +
                     " | ".join(f"{r['instructions'][b]:,.0f}" for b in boards) + " |")
    return "\n".join(lines)


def main() -> dict:
    args = common.arguments(__doc__.splitlines()[0], HERE)
    x_train, x_test, y_train, y_test = data()
    teacher, student, pruned = train(args, x_train, y_train)
    rows = []
    for name, model in [("teacher", teacher), ("student (distilled)", student)] + \
            [(f"student, {what}", m) for what, m in pruned.items()]:
        print(f"\n==== {name} ====")
        result = common.run(model, model.name, x_train[:300], x_test, y_test,
                            lambda out, x, y: common.accuracy(out, y), "accuracy", args.out, io="int8",
                            qemu_samples=args.qemu_samples or (3 if args.quick else 20))
        rows.append(dict(result, name=name, weights=kernel_weights(model),
                         **footprint(result["tflite"], list(common.BOARDS)[0])))
    print("\n" + table(rows))
    return dict(rows=rows, exact=all(r["exact"] for r in rows), table=table(rows))


if __name__ == "__main__":
    sys.exit(0 if main()["exact"] else 1)
