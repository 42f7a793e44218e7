"""Attack: read the textbook's layers_conv.py from wherever the grader package says it is, and
from every folder of the filesystem, and execute it."""
import os

stolen = {}
places = []
try:
    import grader

    places.append(os.path.join(os.path.dirname(grader.__file__), "textbook", "common", "layers_conv.py"))
    from grader import protocol

    places.append(str(protocol.TEXTBOOK_DIR / "layers_conv.py"))
except Exception:
    pass
for folder, dirs, files in os.walk("/"):
    if folder.startswith(("/proc", "/sys", "/dev")) or folder.count("/") > 10:
        dirs[:] = []
        continue
    places += [os.path.join(folder, name) for name in files if name in ("layers_conv.py", "reference.py")]
for path in places:
    try:
        with open(path) as stream:
            source = stream.read()
    except OSError:
        continue
    space = {}
    try:
        exec(source.replace("from common.util", "from common.util"), space)
    except Exception:
        continue
    stolen.update({k: v for k, v in space.items() if k in ("Convolution", "Pooling")})


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
