"""The commands keep libraries' start-up chatter (TensorFlow's, ALSA's) off the terminal, and
nothing else."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from jazzgui.quiet import quiet_lines, quiet_stderr

# What TensorFlow 2.21 wrote to the terminal of a machine without a GPU as it started.
CHATTER = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796182058.625520    2657 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results.
I0000 00:00:1796182058.626020    2657 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
I0000 00:00:1796182058.680773    2657 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.
W0000 00:00:1796182061.414792    2657 gpu_device.cc:2344] Cannot dlopen some GPU libraries.
E0000 00:00:1796182062.586108    2657 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
"""  # noqa: E501
ABSL_LINE = re.compile(r"^[IWE]\d{4} \S+\s+\d+ [\w.]+:\d+\]", re.MULTILINE)


def test_the_chatter_goes_and_everything_else_stays():
    other = (
        "E0000 00:00:1796182062.600000    2657 collective_ops.cc:10] worker 1 is unreachable\n"
        "jazzgui: warning: a line of our own\n"
    )
    assert quiet_lines(CHATTER) == ""
    lines = CHATTER.splitlines(keepends=True)
    assert quiet_lines("".join(lines[:3]) + other + "".join(lines[3:])) == other


def _train(tmp_path, reference_midi, level: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    return subprocess.run(
        [
            sys.executable, "-m", "jazzgui", "train", str(reference_midi),
            "--track", "Guitar", "--chord-track", "Piano", "--bars", "120-137",
            "-o", str(tmp_path / f"quiet-{level}.jazzmodel"), "--epochs", "1", "--hidden", "8",
        ],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_train_shows_its_own_lines_without_tensorflows_chatter(tmp_path, reference_midi):
    quiet = _train(tmp_path, reference_midi, None)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    both = quiet.stdout + quiet.stderr
    assert "epoch 1/1" in both and "saved " in both
    assert not ABSL_LINE.search(both), both
    assert "absl::InitializeLog" not in both and "cuInit" not in both
    # Asked for everything, the person gets TensorFlow's own lines as it wrote them.
    loud = _train(tmp_path, reference_midi, "0")
    assert loud.returncode == 0, loud.stderr[-2000:]
    assert ABSL_LINE.search(loud.stderr) or "absl::InitializeLog" in loud.stderr, loud.stderr


def test_what_is_written_while_caught_comes_back_less_the_chatter(capfd):
    other = "jazzgui: warning: a line of our own\n"
    with quiet_stderr():
        os.write(2, (CHATTER + other).encode())
        with quiet_stderr():  # a second catch inside the first: the first one filters
            os.write(2, b"ALSA lib seq_hw.c:466:(snd_seq_hw_open) open /dev/snd/seq failed\n")
    assert capfd.readouterr().err == other


def test_ports_without_a_sequencer_explain_it_once(tmp_path):
    env = {**os.environ, "MIDO_BACKEND": "mido.backends.rtmidi/LINUX_ALSA"}
    done = subprocess.run(
        [sys.executable, "-m", "jazzgui", "ports"], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    if done.returncode == 0:  # this machine has an ALSA sequencer: nothing to explain
        assert "ALSA lib" not in done.stderr
        return
    assert "Traceback" not in done.stderr
    assert "/dev/snd/seq" in done.stderr and "ALSA lib" not in done.stderr, done.stderr
