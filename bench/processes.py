"""What the benchmarks that start a Celery worker share."""

from __future__ import annotations

import subprocess


def stop_worker(worker: subprocess.Popen) -> None:
    """Stop a worker the benchmark started: politely, then for good after 30 s."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
