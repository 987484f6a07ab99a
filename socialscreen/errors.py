"""The errors socialscreen raises. Messages never contain screened post text."""


class SocialScreenError(Exception):
    """Base class of every error socialscreen raises on purpose."""


class DataError(SocialScreenError, ValueError):
    """A pack, rule or lexicon file is invalid. The message names the file and the field."""

    def __init__(self, path, field, problem):
        self.path, self.field, self.problem = str(path), field, problem
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {problem}")


class UnknownPolicyError(SocialScreenError, LookupError):
    """No pack with that id is installed."""


class ScreenInputError(SocialScreenError, ValueError):
    """A post cannot be screened (wrong type, too long, bad account value...). `code` is the
    word a record error reports it with (socialscreen.values.ERROR_CODES)."""

    def __init__(self, message="", code: str = "invalid_record"):
        super().__init__(message)
        self.code = code


class ConfigError(DataError):
    """A configuration file (socialscreen.toml, [tool.socialscreen] in pyproject.toml) or a
    baseline file is invalid. The message names the file, the key and the valid choices."""
