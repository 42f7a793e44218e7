"""Attack: search every live object of this process (inherited from the zygote) for classes,
functions, code or sources of the textbook's convolution and pooling."""
import gc
import marshal
import types

stolen = {}
for obj in gc.get_objects():
    if isinstance(obj, type) and obj.__name__ in ("Convolution", "Pooling") and obj.__module__ != "submission":
        stolen[obj.__name__] = obj
    elif isinstance(obj, dict):
        for value in list(obj.values()):
            if isinstance(value, str) and "class Convolution" in value and "stolen" not in value:
                space = {}
                try:
                    exec(value, space)
                    stolen.update({k: v for k, v in space.items() if k in ("Convolution", "Pooling")})
                except Exception:
                    pass
            elif isinstance(value, bytes) and b"Convolution" in value:
                try:
                    space = {}
                    exec(marshal.loads(value), space)
                    stolen.update({k: v for k, v in space.items() if k in ("Convolution", "Pooling")})
                except Exception:
                    pass


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
