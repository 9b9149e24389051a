"""Live plot of training and validation loss per epoch (pyqtgraph, imported when first shown)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from jazzgui.ui.style import PALETTE


class LossPlot(QWidget):
    """Two curves, train and validation; pyqtgraph loads only when the plot is first shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.train_points: list[tuple[int, float]] = []
        self.val_points: list[tuple[int, float]] = []
        self._plot = None
        self._train_curve = None
        self._val_curve = None
        self._layout = QStackedLayout(self)
        placeholder = QLabel("The loss per epoch appears here while training runs.")
        placeholder.setStyleSheet(f"color: {PALETTE['muted']};")
        self._layout.addWidget(placeholder)
        self.setMinimumHeight(180)
        self.setToolTip(
            "Training loss (how well the model fits the solos it learns from) and validation "
            "loss (on held-out bars) per epoch. Validation rising while training falls means "
            "the model is memorising: stop, or use early stopping."
        )

    def showEvent(self, event) -> None:
        self.ensure_plot()
        super().showEvent(event)

    def ensure_plot(self) -> None:
        """Build the pyqtgraph widget (its import costs about half a second, so not at startup)."""
        if self._plot is not None:
            return
        import pyqtgraph as pg

        plot = pg.PlotWidget(background="w")
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", "loss (cross-entropy per token)")
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.addLegend(offset=(10, -10))  # bottom left: loss curves start high
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        self._train_curve = plot.plot(
            [],
            [],
            name="training",
            pen=pg.mkPen(PALETTE["accent"], width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=PALETTE["accent"],
        )
        self._val_curve = plot.plot(
            [],
            [],
            name="validation",
            pen=pg.mkPen(PALETTE["warm"], width=2),
            symbol="s",
            symbolSize=5,
            symbolBrush=PALETTE["warm"],
        )
        self._plot = plot
        self._layout.addWidget(plot)
        self._layout.setCurrentWidget(plot)
        self._redraw()

    def clear(self) -> None:
        self.train_points = []
        self.val_points = []
        self._redraw()

    def add_epoch(self, epoch: int, loss: float, val_loss: float | None) -> None:
        self.train_points.append((epoch, loss))
        if val_loss is not None:
            self.val_points.append((epoch, val_loss))
        self._redraw()

    def _redraw(self) -> None:
        if self._plot is None:
            return
        self._train_curve.setData(
            [e for e, _ in self.train_points], [v for _, v in self.train_points]
        )
        self._val_curve.setData([e for e, _ in self.val_points], [v for _, v in self.val_points])

    def plotted_points(self) -> int:
        """How many training points the curve actually holds (0 before the plot exists)."""
        if self._train_curve is None:
            return 0
        xs, _ = self._train_curve.getData()
        return 0 if xs is None else len(xs)
