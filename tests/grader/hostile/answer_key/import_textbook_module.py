"""Attack: import the project's own layers from the grader package inside the sandbox."""
stolen = {}
try:
    from grader.textbook.common.layers_conv import Convolution, Pooling

    stolen = {"Convolution": Convolution, "Pooling": Pooling}
except Exception as error:
    print("import refused:", type(error).__name__)


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
