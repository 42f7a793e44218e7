"""Attack: ask the protocol module for the compiled textbook modules, or take its cache."""
import marshal

stolen = {}
try:
    from grader import protocol

    blobs = dict(getattr(protocol, "_textbook_code", {}))
    try:
        blobs.update(protocol.textbook_code(("layers_conv",)))
    except Exception as error:
        print("refused:", type(error).__name__)
    for blob in blobs.values():
        space = {}
        try:
            exec(marshal.loads(blob), space)
        except Exception:
            continue
        stolen.update({k: v for k, v in space.items() if k in ("Convolution", "Pooling")})
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
