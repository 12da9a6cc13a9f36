"""Import TensorFlow without its start-up chatter on stderr.

TensorFlow's C++ side prints lines about CUDA, oneDNN and CPU features while it is
imported, before any logging setting applies. A command-line user sees them as noise
around the one line that matters, so they are hidden during the import only
(``SENTIGRU_DEBUG=1`` shows them).
"""

from __future__ import annotations

import os
import sys
from types import ModuleType


def import_tensorflow() -> ModuleType:
    """``import tensorflow``, with stderr muted during the import unless debugging."""
    if "tensorflow" in sys.modules or os.environ.get("SENTIGRU_DEBUG"):
        import tensorflow

        return tensorflow
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return tensorflow
