"""This process's place in a multi-worker training cluster, read from TF_CONFIG without TensorFlow.

Every worker runs the same `jazzgui train` command; TF_CONFIG tells each who it is. The chief
(task "chief", or worker 0 when the cluster names no chief) alone writes the model file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from jazzgui.errors import TrainingError


@dataclass(frozen=True)
class ClusterRole:
    """Who this process is: its task type and index, how many workers, whether it is chief."""

    task_type: str
    index: int
    workers: int  # chief and workers that train
    is_chief: bool

    def describe(self) -> str:
        return f"{self.task_type} {self.index} of {self.workers} workers"


def cluster_role(environ: dict[str, str] | None = None) -> ClusterRole:
    """The role TF_CONFIG gives this process; a single chief when TF_CONFIG is not set."""
    text = (os.environ if environ is None else environ).get("TF_CONFIG", "")
    if not text.strip():
        return ClusterRole("chief", 0, 1, True)
    try:
        config = json.loads(text)
        cluster = config["cluster"]
        task_type = str(config["task"]["type"])
        index = int(config["task"]["index"])
        training = len(cluster.get("chief", [])) + len(cluster.get("worker", []))
        members = cluster[task_type]
    except (ValueError, KeyError, TypeError) as error:
        raise TrainingError(
            f"TF_CONFIG is not a valid cluster description ({error}): it must be JSON like "
            '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}'
        ) from None
    if not 0 <= index < len(members):
        raise TrainingError(
            f"TF_CONFIG names {task_type} {index}, but its cluster lists {len(members)} "
            f"{task_type} address(es): give each machine an index from 0 to {len(members) - 1}"
        )
    chief = task_type == "chief" or (
        task_type == "worker" and index == 0 and not cluster.get("chief")
    )
    return ClusterRole(task_type, index, training, chief)


def lost_worker_error(error_name: str, timeout: float) -> TrainingError:
    """What a person is told when another worker of a multi-worker run died or went silent
    (`error_name`: TensorFlow's error, DeadlineExceededError after `timeout` seconds, or
    UnavailableError when a health check found a worker gone)."""
    what = f"no answer within {timeout:g} s" if "Deadline" in error_name else "found unreachable"
    return TrainingError(
        f"Multi-worker training stopped: this process ({cluster_role().describe()}) lost "
        f"another worker named in TF_CONFIG ({what}): it died or cannot be reached. This "
        "worker saved nothing: start `jazzgui train` again on every machine of TF_CONFIG "
        "(--worker-timeout sets how long a worker waits for the others)"
    )
