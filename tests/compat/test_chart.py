"""The power-curve SVG is valid, standalone and accessible."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from forecourt.compat.domain import (
    compatibility,
    default_catalogue,
    estimate,
    render_power_curve_svg,
)
from forecourt.domain.connectors import ConnectorType
from tests.compat.factories import dc_connector

SVG = "{http://www.w3.org/2000/svg}"


def _svg() -> ET.Element:
    car = default_catalogue().vehicle("hyundai-ioniq-9-2025")
    connector = dc_connector(ConnectorType.NACS, volts=500, amps=700, kw=250)
    result = estimate(car, connector, compatibility(car, connector)[0], 10, 80)
    return ET.fromstring(render_power_curve_svg(result, title="Ioniq 9 <at> a Supercharger"))


def test_svg_has_title_description_and_role() -> None:
    root = _svg()
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Ioniq 9 <at> a Supercharger"
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text is not None
    assert "boost converter" in desc.text


def test_svg_has_axis_labels_curve_and_band_tooltips() -> None:
    root = _svg()
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"State of charge (%)", "Power (kW)"} <= texts
    [polyline] = root.iter(f"{SVG}polyline")
    assert len(polyline.get("points", "").split()) > 10
    band_titles = [r.find(f"{SVG}title") for r in root.iter(f"{SVG}rect")]
    assert any(t is not None and "126 kW" in (t.text or "") for t in band_titles)
