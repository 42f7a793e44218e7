"""Attack: take compiled textbook code the warm zygote may have cached (closures of the harness's
functions, module globals of every loaded module) and run it."""
import sys
import types

stolen = {}
seen = set()


def visit(value):
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, types.CodeType):
        if "Convolution" in value.co_names or "Pooling" in value.co_names:
            space = {}
            try:
                exec(value, space)
            except Exception:
                return
            stolen.update({k: v for k, v in space.items() if k in ("Convolution", "Pooling")})
    elif isinstance(value, types.FunctionType):
        for cell in value.__closure__ or ():
            try:
                visit(cell.cell_contents)
            except ValueError:
                pass
    elif isinstance(value, dict):
        for item in list(value.values()):
            visit(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            visit(item)


for name, module in list(sys.modules.items()):
    if name.startswith("grader") or name in ("__main__", "builtins"):
        visit(vars(module))


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
