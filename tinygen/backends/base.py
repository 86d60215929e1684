"""The Backend base class: tinygen's portable kernels, and what every other backend overrides."""
from __future__ import annotations

from ..ops.common import Layer, OpDef


class Backend:
    """tinygen's portable kernels: every layer keeps the kernel its lowering chose."""
    name = "portable"
    cflags: tuple[str, ...] = ()
    preamble: str | None = None  # template the generated model starts with (checks of how it is compiled)

    def __init__(self, core: str = "host"):
        self.core = core

    @property
    def arch(self) -> str:
        """The code path the backend's kernels take on the core, as its operator mappings receive it."""
        return "c"

    def offer(self, layer: Layer, definition: OpDef) -> Layer | None:
        """This backend's form of the layer (the operator's mapping for it, OpDef.backends[name]), or None to
        keep the portable kernel."""
        mapping = definition.backends.get(self.name)
        return None if layer.alias or mapping is None else mapping(layer, self.arch)

    def reports_status(self, kernel: str) -> bool:
        """Whether `kernel` returns a status the generated code must check: any library kernel unless its backend
        says otherwise; tinygen's own (tg_*) cannot fail, the compiler checked their arguments."""
        return not kernel.startswith("tg_")

    def sources(self) -> dict[str, str]:
        """C sources the backend's kernels need besides tinygen's: {path in the build: text}."""
        return {}

    def check_available(self) -> None:
        """Raise a TinygenError when the backend's sources are missing (before anything is compiled)."""
