"""Spin boxes set up from `jazzgui.limits`: the window refuses what the command line refuses."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

from jazzgui.limits import Limit


def configure(spin: QSpinBox | QDoubleSpinBox, limit: Limit, tip: str = "") -> None:
    """Give `spin` the range, step, decimals and default value of `limit`, and a tooltip
    (`tip`, if given) that ends with the allowed range in the shared wording."""
    settings = limit.spin_box()
    if isinstance(spin, QDoubleSpinBox):
        spin.setDecimals(int(settings["decimals"]))
    elif not limit.whole:
        raise TypeError(f"{limit.label} takes decimals: it needs a QDoubleSpinBox")
    spin.setRange(settings["minimum"], settings["maximum"])
    spin.setSingleStep(settings["single_step"])
    spin.setValue(settings["value"])
    words = limit.range_text()
    allowed = f"{words[0].upper()}{words[1:]}."
    spin.setToolTip(f"{tip} {allowed}" if tip else allowed)
