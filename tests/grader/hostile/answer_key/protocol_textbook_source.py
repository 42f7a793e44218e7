"""Attack: ask the harness's protocol module for a textbook module's source by name."""
stolen = {}
try:
    from grader import protocol

    space = {}
    exec(protocol.textbook_source("layers_conv"), space)
    stolen = {k: space[k] for k in ("Convolution", "Pooling")}
except Exception as error:
    print("refused:", type(error).__name__)


class _Nothing:
    """What the student really wrote: nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def forward(self, x):
        raise NotImplementedError("nothing was stolen")

    backward = forward


print("ANSWER-KEY-FOUND" if stolen else "nothing found")
Convolution = stolen.get("Convolution", _Nothing)
Pooling = stolen.get("Pooling", _Nothing)
