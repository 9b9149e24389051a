"""JazzGUI: a desktop jazz improviser (importing this pulls in neither Qt nor TensorFlow)."""

__version__ = "0.1.0"
