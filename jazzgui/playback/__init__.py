"""MIDI ports, the timed player, note bookkeeping and the built-in synth (no Qt, no TensorFlow)."""
