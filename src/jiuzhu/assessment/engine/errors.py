"""One error family for the engine, so callers (CLI, Django services) catch a single type.

Every message names the place that is wrong (framework key path, column, row) because the people
who read them are analysts fixing a file, not programmers reading a traceback.
"""


class EngineError(Exception):
    """Base class: anything wrong with a framework, the data, or the arguments to the engine."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FrameworkError(EngineError):
    """The indicator framework (file or dict) is malformed or inconsistent."""


class DataError(EngineError):
    """The household data does not fit the framework (missing column, non-numeric value…)."""
