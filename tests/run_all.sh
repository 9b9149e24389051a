#!/usr/bin/env bash
# Install everything the tests need (Debian and Python packages), start JACK + FluidSynth and a
# PulseAudio server whose default sink is a null sink, run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DEB_PACKAGES=(jackd2 fluidsynth timgm6mb-soundfont xvfb xauth desktop-file-utils
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 libasound2 jack-tools
  pulseaudio pulseaudio-utils libpulse0 libportaudio2 portaudio19-dev)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
"$PY" -m pip install -q --disable-pip-version-check -e ".[test]"

# A real synth: JACK with the dummy driver (no sound card needed) and FluidSynth on it.
export JAZZGUI_TEST_JACK=1
LOGDIR=$(mktemp -d)
cleanup() {
  [ -n "${FS_PID:-}" ] && kill "$FS_PID" 2>/dev/null || true
  [ -n "${JACK_PID:-}" ] && kill "$JACK_PID" 2>/dev/null || true
  [ -n "${PULSE_STARTED:-}" ] && pulseaudio --kill 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
start_jackd() {
  jackd "$@" -d dummy -r 44100 -p 1024 >"$LOGDIR/jackd.log" 2>&1 &
  JACK_PID=$!
  for _ in $(seq 50); do jack_lsp >/dev/null 2>&1 && return 0; sleep 0.2; done
  kill "$JACK_PID" 2>/dev/null || true
  return 1
}
if ! jack_lsp >/dev/null 2>&1; then
  # Realtime scheduling and 1024-frame (23 ms) periods keep JACK's cycles on time on a busy
  # 2-core machine: a client that misses its cycle loses that cycle's MIDI events (seen with
  # --no-realtime under load). Fall back to no realtime where the system does not allow it.
  start_jackd -R -P 70 || start_jackd --no-realtime || {
    echo "jackd did not start"; cat "$LOGDIR/jackd.log"; exit 1; }
fi
if ! jack_lsp 2>/dev/null | grep -q fluidsynth; then
  fluidsynth -a jack -m jack -i -s -g 0.8 -o audio.jack.autoconnect=0 \
    /usr/share/sounds/sf2/TimGM6mb.sf2 >"$LOGDIR/fluidsynth.log" 2>&1 &
  FS_PID=$!
  for _ in $(seq 50); do jack_lsp 2>/dev/null | grep -q "fluidsynth-midi" && break; sleep 0.2; done
fi
jack_lsp 2>/dev/null | grep -q "fluidsynth-midi" || {
  echo "FluidSynth did not appear on JACK"; cat "$LOGDIR"/*.log; exit 1; }

# Speakers without a sound card: PulseAudio with a null sink "speakers" as the default output;
# tests record what a person would hear from its monitor with parec.
export JAZZGUI_TEST_PULSE=1
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
if ! pactl info >/dev/null 2>&1; then
  pulseaudio -D --exit-idle-time=-1 -n --load="module-null-sink sink_name=speakers" \
    --load=module-native-protocol-unix >"$LOGDIR/pulseaudio.log" 2>&1 || {
    echo "PulseAudio did not start"; cat "$LOGDIR/pulseaudio.log"; exit 1; }
  PULSE_STARTED=1
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.2; done
fi
pactl list short sinks | grep -q speakers || pactl load-module module-null-sink sink_name=speakers
pactl set-default-sink speakers

"$PY" -m ruff check .
"$PY" -m ruff format --check .
lint-imports
"$PY" -m pytest "$@"
