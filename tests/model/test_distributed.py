"""Multi-worker training: roles from TF_CONFIG, and two `jazzgui train` workers on localhost
that train together, stop together on one Ctrl-C, and leave one model (the chief's)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jazzgui.cli import main
from jazzgui.errors import TrainingError
from jazzgui.model.distributed import cluster_role, lost_worker_error
from jazzgui.model.modelfile import load_model
from jazzgui.music.events import SOLO_CHANNEL
from jazzgui.music.midifile import read_take_midi

REPO = Path(__file__).resolve().parents[2]
SELECTION = ["--track", "Guitar", "--chord-track", "Piano", "--bars", "120-137"]


def _tf_config(cluster: dict, task_type: str, index: int) -> dict[str, str]:
    return {
        "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": task_type, "index": index}})
    }


def test_roles_come_from_tf_config():
    workers = {"worker": ["a:1", "b:1", "c:1"]}
    assert cluster_role({}).is_chief and cluster_role({}).workers == 1
    first, third = (cluster_role(_tf_config(workers, "worker", i)) for i in (0, 2))
    assert first.is_chief and first.workers == 3
    assert not third.is_chief and third.describe() == "worker 2 of 3 workers"
    with_chief = {"chief": ["a:1"], "worker": ["b:1"]}
    assert cluster_role(_tf_config(with_chief, "chief", 0)).is_chief
    assert not cluster_role(_tf_config(with_chief, "worker", 0)).is_chief
    assert cluster_role(_tf_config(with_chief, "worker", 0)).workers == 2


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "not a valid cluster description"),
        ('{"cluster": {"worker": ["a:1"]}}', "not a valid cluster description"),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}',
            "index from 0",
        ),
    ],
)
def test_a_bad_tf_config_says_what_to_write(text, words):
    with pytest.raises(TrainingError, match=words):
        cluster_role({"TF_CONFIG": text})


def test_a_lost_worker_is_named_with_what_to_do(monkeypatch):
    cluster = {"worker": ["a:1", "b:1"]}
    monkeypatch.setenv("TF_CONFIG", _tf_config(cluster, "worker", 1)["TF_CONFIG"])
    timed_out = str(lost_worker_error("DeadlineExceededError", 30))
    assert "this process (worker 1 of 2 workers) lost another worker" in timed_out
    assert "no answer within 30 s" in timed_out and "--worker-timeout" in timed_out
    assert "found unreachable" in str(lost_worker_error("UnavailableError", 30))


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("localhost", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _wait_for(path: Path, text: str, processes: list[subprocess.Popen], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in path.read_text():
        if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
            pytest.fail(f"{path.name} never showed {text!r}:\n{path.read_text()}")
        time.sleep(0.5)


def test_two_local_workers_train_stop_together_and_the_chief_alone_saves(tmp_path, reference_midi):
    cluster = {"worker": [f"localhost:{port}" for port in _free_ports(2)]}
    command = [
        sys.executable, "-m", "jazzgui", "train", str(reference_midi), *SELECTION,
        "-o", "solo.jazzmodel", "--strategy", "multiworker", "--epochs", "10000",
        "--hidden", "8", "--tx", "8", "--batch", "8", "--val", "0.2",
    ]  # fmt: skip
    workers, logs, folders = [], [], []
    for index in range(2):
        folder = tmp_path / f"machine{index}"
        folder.mkdir()
        log = tmp_path / f"worker{index}.log"
        env = {**os.environ, "PYTHONPATH": str(REPO), **_tf_config(cluster, "worker", index)}
        with log.open("w") as out:
            workers.append(
                subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
            )
        folders.append(folder)
        logs.append(log)
    try:
        for log in logs:
            _wait_for(log, " 2/10000 [", workers, 400)
        workers[1].send_signal(signal.SIGINT)  # Ctrl-C on one machine only
        codes = [worker.wait(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    chief, other = (log.read_text() for log in logs)
    assert codes == [130, 130], f"chief:\n{chief}\nworker:\n{other}"
    assert "this process is worker 0 of 2 workers" in chief
    assert "interrupted: saved the best model so far" in chief
    assert "worker 1 of 2 workers: the chief writes the model, this worker nothing" in other
    assert [p.name for p in folders[0].iterdir()] == ["solo.jazzmodel"]
    assert list(folders[1].iterdir()) == []
    # Each worker carried the state of its own lanes of the music.
    card = load_model(folders[0] / "solo.jazzmodel").card["train"]
    assert card["replicas"] == 2 and card["carry_state"] is True and card["lanes"] == 8

    take = tmp_path / "take.mid"
    assert main(["generate", "--model", str(folders[0] / "solo.jazzmodel"), "-o", str(take)]) == 0
    assert read_take_midi(take).part(SOLO_CHANNEL)


def test_a_dead_worker_ends_the_others_with_a_message_naming_tf_config(tmp_path, reference_midi):
    cluster = {"worker": [f"localhost:{port}" for port in _free_ports(2)]}
    command = [
        sys.executable, "-m", "jazzgui", "train", str(reference_midi), *SELECTION,
        "-o", "solo.jazzmodel", "--strategy", "multiworker", "--epochs", "10000",
        "--hidden", "8", "--tx", "8", "--batch", "8", "--val", "0.2", "--worker-timeout", "5",
    ]  # fmt: skip
    workers, logs = [], []
    for index in range(2):
        log = tmp_path / f"worker{index}.log"
        env = {**os.environ, "PYTHONPATH": str(REPO), **_tf_config(cluster, "worker", index)}
        with log.open("w") as out:
            workers.append(
                subprocess.Popen(
                    command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            )
        logs.append(log)
    try:
        for log in logs:
            _wait_for(log, " 2/10000 [", workers, 400)
        workers[1].kill()  # the machine of worker 1 goes away mid-training
        workers[1].wait()
        code = workers[0].wait(timeout=120)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    chief = logs[0].read_text()
    assert code == 2, chief
    assert "Multi-worker training stopped: this process (worker 0 of 2 workers) lost" in chief
    assert "TF_CONFIG" in chief and "Traceback" not in chief
    assert not (tmp_path / "solo.jazzmodel").exists()
