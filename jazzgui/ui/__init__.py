"""The Qt user interface: the only place PySide6 and pyqtgraph are imported."""
