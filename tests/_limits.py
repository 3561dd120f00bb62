"""Test helper: Python scripts for a subprocess that run under a cap on their address space (``RLIMIT_AS``)."""

from __future__ import annotations

_CAP = """
import resource
def _vm():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
_cap = _vm() + ({headroom} << 20)  # what the process maps now, plus the headroom
resource.setrlimit(resource.RLIMIT_AS, (_cap, _cap))
"""


def capped_script(imports: str, body: str, headroom_mib: int) -> str:
    """``imports``, then a cap at what the process maps after them plus ``headroom_mib`` MiB, then ``body``."""
    return imports + _CAP.format(headroom=headroom_mib) + body
