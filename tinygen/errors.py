"""The one error type users see: what went wrong and how to fix it."""


class TinygenError(Exception):
    """A problem with the user's input that tinygen refuses cleanly (the CLI prints it, exit status 2)."""

    def __init__(self, problem: str, fix: str = ""):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.problem} — {self.fix}" if self.fix else self.problem


def corrupted(detail: str, source: str = "") -> TinygenError:
    """A model file whose structure or numbers cannot be right: the one message for every such case."""
    where = f"{source}: " if source else ""
    return TinygenError(f"{where}corrupted or truncated model ({detail})", "re-export the .tflite file")
