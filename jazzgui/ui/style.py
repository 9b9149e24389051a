"""The look: Fusion style, one palette and a small style sheet shared by every panel."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

PALETTE = {
    "accent": "#2f6fd1",
    "accent_dark": "#2357a8",
    "warm": "#e58a1f",
    "danger": "#c9374f",
    "ok": "#23915c",
    "muted": "#6b7385",
    "panel": "#f5f6f9",
    "border": "#d5d9e2",
}

_STYLE_SHEET = f"""
QGroupBox {{
    font-weight: 600;
    border: 1px solid {PALETTE["border"]};
    border-radius: 6px;
    margin-top: 10px;
    padding: 8px 6px 6px 6px;
    background: white;
}}
QGroupBox::title {{
    subcontrol-origin: margin;
    left: 10px;
    padding: 0 4px;
    color: #30394d;
}}
QPushButton[primary="true"] {{
    background: {PALETTE["accent"]};
    color: white;
    border: 1px solid {PALETTE["accent_dark"]};
    border-radius: 4px;
    padding: 5px 16px;
    font-weight: 600;
}}
QPushButton[primary="true"]:hover {{ background: {PALETTE["accent_dark"]}; }}
QPushButton[primary="true"]:disabled {{ background: #9fb6dc; border-color: #9fb6dc; }}
QLabel[role="error"] {{ color: {PALETTE["danger"]}; }}
QLabel[role="hint"] {{ color: {PALETTE["muted"]}; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 7px 18px; }}
"""


def app_icon() -> QIcon:
    """The window icon, shipped as package data."""
    path = resources.files("jazzgui") / "assets" / "jazzgui.svg"
    return QIcon(str(path))


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(PALETTE["panel"]))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(PALETTE["accent"]))
    palette.setColor(QPalette.ColorRole.Link, QColor(PALETTE["accent"]))
    app.setPalette(palette)
    app.setStyleSheet(_STYLE_SHEET)
