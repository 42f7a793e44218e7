"""An exception at import whose message holds lone surrogates and NUL bytes."""


class BadError(Exception):
    pass


raise BadError("broken \ud800 value \x00 with NUL \x00 and \udfff" * 20)
