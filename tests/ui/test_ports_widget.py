"""The output picker offers JazzGUI's own virtual output where the MIDI system can make one."""

from __future__ import annotations

from jazzgui.ui.audio_out import BUILT_IN_SYNTH_NAME
from jazzgui.ui.ports_widget import VIRTUAL_OUTPUT, PortsWidget


def test_the_virtual_output_is_offered_and_opened_when_picked(make_window, qtbot, fake_port):
    opened = []

    def opener(name):
        opened.append(name)
        return fake_port

    window = make_window(port_opener=opener)
    ports = window.generate_panel.ports
    index = ports.combo.findData(VIRTUAL_OUTPUT)
    assert index >= 0
    assert ports.combo.itemText(index) == "JazzGUI (virtual output)"
    assert ports.port_name == fake_port.name  # a real synth is still the default
    ports.combo.setCurrentIndex(index)
    ports.combo.activated.emit(index)
    assert opened[-1] == VIRTUAL_OUTPUT
    assert ports.port_name == VIRTUAL_OUTPUT
    ports.check_port_present()  # ours, never listed among the outputs: it cannot have gone
    assert ports.port_name == VIRTUAL_OUTPUT


def test_no_virtual_output_where_the_system_cannot_make_one(make_window, qtbot, fake_port):
    window = make_window()
    ports = PortsWidget(
        window.audio,
        lister=lambda: [fake_port.name],
        opener=lambda name: fake_port,
        virtual_supported=lambda: False,
    )
    qtbot.addWidget(ports)
    ports.refresh()
    names = [ports.combo.itemData(i) for i in range(ports.combo.count())]
    assert names == [fake_port.name, BUILT_IN_SYNTH_NAME]
    ports.close_port()
