"""The sliding window of convolutions and pooling: geometry checked against the model's shapes."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import TinygenError
from ..quant import padding_and_output


@dataclass(frozen=True)
class Window:
    n: int
    in_h: int
    in_w: int
    out_h: int
    out_w: int
    k_h: int
    k_w: int
    stride_h: int
    stride_w: int
    dil_h: int
    dil_w: int
    pad_h: int
    pad_w: int

    def summary(self, op, in_c: int, out_c: int) -> str:
        """'KIND HxWxC -> HxWxC, KHxKW/SHxSW[ dilation DHxDW]'."""
        return (f"{op.kind} {self.in_h}x{self.in_w}x{in_c} -> {self.out_h}x{self.out_w}x{out_c}, "
                f"{self.k_h}x{self.k_w}/{self.stride_h}x{self.stride_w}"
                + (f" dilation {self.dil_h}x{self.dil_w}" if self.dil_h * self.dil_w > 1 else ""))


def window(op, x, y, kh: int, kw: int, out_c: int) -> Window:
    """Stride, dilation, padding of a window operator; checks the model's output shape against them."""
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    if min(sh, sw, dh, dw) < 1:
        raise TinygenError(f"{op.kind} (operator {op.index}) has stride {sh}x{sw}, dilation {dh}x{dw}",
                           "strides and dilations must be at least 1; re-export the model")
    padding = int(o.get("padding", 0))
    if padding not in (0, 1):
        raise TinygenError(f"{op.kind} (operator {op.index}) has unknown padding {padding}",
                           "use SAME or VALID padding")
    if len(x.shape) != 4 or len(y.shape) != 4:
        raise TinygenError(f"{op.kind} (operator {op.index}) maps a rank-{len(x.shape)} input to a rank-"
                           f"{len(y.shape)} output", "convolutions take and give NHWC tensors of rank 4")
    n, ih, iw, _ = (int(d) for d in x.shape)
    oh, ph = padding_and_output(padding, ih, kh, sh, dh)
    ow, pw = padding_and_output(padding, iw, kw, sw, dw)
    if oh < 1 or ow < 1:
        raise TinygenError(f"{op.kind} (operator {op.index}): the {kh}x{kw} window (dilation {dh}x{dw}) does not "
                           f"fit the {ih}x{iw} input", "use SAME padding or a smaller kernel")
    if tuple(int(d) for d in y.shape) != (n, oh, ow, out_c):
        raise TinygenError(f"{op.kind} (operator {op.index}) declares output {list(y.shape)} but computes "
                           f"{[n, oh, ow, out_c]}", "the model file is inconsistent; re-export it")
    return Window(n, ih, iw, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw)
