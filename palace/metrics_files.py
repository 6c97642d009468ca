"""Where every process's Prometheus counts are kept, chosen before prometheus-client loads.

``palace serve --workers N`` runs N web processes and ``palace worker`` one more per
worker: each counts in files of its own under PROMETHEUS_MULTIPROC_DIR (var/metrics by
default) and a scrape of /metrics, whichever web process answers it, adds all the files
up. prometheus-client reads the variable once, when it is first imported: this module
must not import it.
"""

import os
import sys
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def use_directory(var_dir: Path, *, tidy: bool) -> Path:
    """Point this process and its children at the metrics folder (made if missing).

    ``tidy`` (the web server's start): remove the files of processes that are gone, so a
    restarted web starts its counts from zero while a running worker keeps its own.
    """
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its folder was chosen")
    folder = Path(os.environ.get(VARIABLE, "").strip() or var_dir / "metrics")
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[VARIABLE] = str(folder)
    if tidy:
        for path in folder.glob("*.db"):
            if not _alive(_pid_of(path)):
                path.unlink(missing_ok=True)
    return folder


def _pid_of(path: Path) -> int:
    """prometheus-client names its files ``<kind>_<pid>.db`` (``counter_4242.db``)."""
    tail = path.stem.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, and not ours to judge
    return True
