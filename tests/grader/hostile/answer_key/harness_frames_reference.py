"""Attack: walk up the harness's frames while a check runs and look for the reference module or its
results (the reference runs in another job: nothing to find)."""
import sys

stolen = {}


def _search():
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
            for cls in ("Convolution", "Pooling"):
                candidate = getattr(value, cls, None)
                if isinstance(candidate, type) and getattr(candidate, "__module__", "") != "submission":
                    stolen[cls] = candidate
        frame = frame.f_back


class _Searching:
    def __init__(self, *args, **kwargs):
        _search()
        real = stolen.get(type(self).__name__.lstrip("_"))
        self._real = real(*args, **kwargs) if real else None

    def forward(self, x):
        if self._real is None:
            raise NotImplementedError("nothing was stolen")
        return self._real.forward(x)

    def backward(self, dout):
        if self._real is None:
            raise NotImplementedError("nothing was stolen")
        out = self._real.backward(dout)
        self.dW, self.db = getattr(self._real, "dW", None), getattr(self._real, "db", None)
        return out


class _Convolution(_Searching):
    pass


class _Pooling(_Searching):
    pass


print("searching at run time")


class _Nothing:
    """What the student really wrote: nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def forward(self, x):
        raise NotImplementedError("nothing was stolen")

    backward = forward


print("ANSWER-KEY-FOUND" if stolen else "nothing found")
Convolution, Pooling = _Convolution, _Pooling
