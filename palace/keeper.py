"""``palace serve --with-worker``: keep one worker process running beside the server.

A worker that dies (a crash, an out-of-memory kill) is started again after a short
pause, so background work does not silently stop while the web server goes on.
"""

import ctypes
import logging
import signal
import subprocess
import sys
import threading

log = logging.getLogger("palace")
PAUSE_SECONDS = 2.0


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, be sent SIGTERM when the server dies, even by
    SIGKILL, so a worker kept out of the server's process group is never left behind."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class WorkerKeeper(threading.Thread):
    def __init__(self, argv: list[str]) -> None:
        super().__init__(name="worker-keeper", daemon=True)
        self.argv = argv
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                # A process group of its own: a terminal's Ctrl-C goes to the server, whose
                # shutdown stops the worker (stop()), rather than to both at once, which
                # left the keeper seeing its worker go mid-shutdown and starting another.
                self.process = subprocess.Popen(
                    self.argv, process_group=0, preexec_fn=_die_with_parent
                )
            code = self.process.wait()
            # Signals sent to every process at once (a service manager stopping the
            # whole group) end the worker first: the pause gives shutdown time to say so.
            if self._stopping.wait(PAUSE_SECONDS):
                return
            log.warning("the worker exited with %s; starting another", code)

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.join(timeout=5)
