"""Attack: the module raises at import with a message full of lone surrogates and NUL bytes."""
raise RuntimeError("\udcff\x00\ud800 " * 1000)
