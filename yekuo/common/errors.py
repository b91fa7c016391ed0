"""Errors with a stable machine-readable code and a readable message.

Every layer (engine, loaders, services, API, CLI) raises these so that the same failure reads the same
way everywhere: the API turns them into JSON `{"code", "message"}`, the CLI into one line on stderr and
exit code 2.
"""


class YekuoError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class InvalidInput(YekuoError):
    code = "invalid_input"


class OutOfCalendar(YekuoError):
    """A time that falls outside every loaded and provisional calendar year."""

    code = "out_of_calendar"


class FileFormatError(YekuoError):
    """A data file (calendar schedule, regulation) that cannot be loaded; names where and what."""

    code = "file_format"

    def __init__(self, path: str, where: str, problem: str):
        super().__init__(f"{path}:{where}: {problem}")
        self.path, self.where, self.problem = path, where, problem


class Conflict(YekuoError):
    code = "conflict"


class Forbidden(YekuoError):
    """The user may not take this action, or not on this object (REQUIREMENTS R15, `yekuo.accounts`)."""

    code = "forbidden"
