"""tinygen.sparsity: the zeros a sparse kernel and the report choose from."""

import numpy as np

from tinygen.sparsity import analyse, n_of_m


def test_dense_matrix_has_no_pattern():
    w = np.arange(1, 25, dtype=np.int8).reshape(3, 8)
    s = analyse(w)
    assert (s.zeros, s.zero_channels, s.zero_inputs, s.zero_blocks, s.n_of_m) == (0, (), (), 0, None)
    assert s.pattern == "dense" and s.fraction == 0.0


def test_zero_rows_columns_and_blocks():
    w = np.ones((4, 10), np.int8)
    w[1] = 0  # an all-zero output channel
    w[:, 3] = 0  # an all-zero input column
    w[2, 4:8] = 0  # one more zero block (row 1 has 3: depth 10 is 2 whole blocks and a 2-wide tail)
    s = analyse(w)
    assert s.zero_channels == (1,) and s.zero_inputs == (3,)
    assert s.zeros == 10 + 3 + 4
    assert s.zero_blocks == 3 + 1
    assert s.pattern == "1 zero outputs, 1 zero inputs"
    assert abs(s.fraction - s.zeros / 40) < 1e-12 and s.nonzeros == 40 - s.zeros


def test_convolution_input_channel_zero_across_every_tap():
    w = np.ones((2, 3, 3, 4), np.int8)  # [out_c, kh, kw, in_c]
    w[..., 2] = 0
    w[0, 1, 1, 1] = 0  # zero in one tap only: channel 1 stays
    s = analyse(w.reshape(2, -1), in_c=4)
    assert s.zero_inputs == (2,) and s.in_c == 4


def test_two_of_four_and_its_breaks():
    rng = np.random.default_rng(0)
    w = rng.integers(1, 127, (6, 16)).astype(np.int8)
    for row in w:
        for g in range(4):
            row[4 * g + rng.choice(4, 2, replace=False)] = 0
    assert n_of_m(w, 4) == 2 and analyse(w).n_of_m == (2, 4) and analyse(w).pattern == "2:4"
    w[0, 0:4] = 1  # one dense group: no longer 2:4 (4:8 neither)
    assert analyse(w).n_of_m is None and analyse(w).pattern == "unstructured"
    assert n_of_m(w[:, :15], 4) is None  # depth not whole groups


def test_one_nonzero_is_the_tightest_ratio():
    w = np.zeros((3, 16), np.int8)
    w[1, 5] = -7
    s = analyse(w)
    assert s.n_of_m == (1, 16) and s.zero_channels == (0, 2) and s.nonzeros == 1
