"""`jazzgui train` keeps TensorFlow's start-up chatter off the terminal, not its errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from jazzgui.model.engine import quiet_lines

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
