"""Attack: import the textbook's convolution module as a student would, although the question
does not offer it (only util, functions and layers are)."""
stolen = {}
for name in ("common.layers_conv", "common.layers"):
    try:
        module = __import__(name, fromlist=["*"])
    except Exception:
        continue
    for cls in ("Convolution", "Pooling"):
        if hasattr(module, cls):
            stolen[cls] = getattr(module, cls)


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
