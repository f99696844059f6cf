"""Render an estimate's power curve as a standalone, accessible SVG (pure Python)."""

from __future__ import annotations

import math
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from forecourt.compat.domain.estimate import Estimate

_W, _H = 640, 360
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 20, 40, 56
_PLOT_W, _PLOT_H = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
# colour-blind-safe band fills (Okabe-Ito, light); the band label also says it in words
_Scale = Callable[[float], float]
_FILLS = ("#e69f0033", "#56b4e933", "#009e7333", "#f0e44233", "#0072b233", "#d55e0033")


def render_power_curve_svg(estimate: Estimate, title: str = "") -> str:
    """An SVG document: power (kW) against state of charge (%), bands shaded and labelled."""
    title = title or f"Expected charging power, {estimate.soc_from:g}–{estimate.reached_soc:g} %"
    top_kw = _nice_ceiling(estimate.peak_power_w / 1000)
    soc_low, soc_high = estimate.soc_from, max(estimate.reached_soc, estimate.soc_from + 1)

    def x(soc: float) -> float:
        return _LEFT + (soc - soc_low) / (soc_high - soc_low) * _PLOT_W

    def y(kw: float) -> float:
        return _TOP + _PLOT_H - kw / top_kw * _PLOT_H

    parts = [_header(title, _description(estimate))]
    parts += _bands(estimate, x)
    parts += _axes(soc_low, soc_high, top_kw, x, y)
    points = " ".join(f"{x(soc):.1f},{y(watts / 1000):.1f}" for soc, watts in estimate.curve)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#0072b2" stroke-width="2.5"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _header(title: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="sans-serif" font-size="12">\n'
        f'<title id="chart-title">{escape(title)}</title>\n'
        f'<desc id="chart-desc">{escape(description)}</desc>\n'
        f'<rect width="{_W}" height="{_H}" fill="#ffffff"/>\n'
        f'<text x="{_LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>'
    )


def _description(estimate: Estimate) -> str:
    minutes = estimate.duration_s / 60
    return (
        f"{minutes:.0f} minutes from {estimate.soc_from:g} % to {estimate.reached_soc:g} %, "
        f"peak {estimate.peak_power_w / 1000:.0f} kW. Limited by: {estimate.explain()}."
    )


def _bands(estimate: Estimate, x: _Scale) -> list[str]:
    parts = []
    for index, band in enumerate(estimate.bands):
        left, right = x(band.soc_from), x(band.soc_to)
        fill = _FILLS[index % len(_FILLS)]
        parts.append(
            f'<rect x="{left:.1f}" y="{_TOP}" width="{max(right - left, 0.5):.1f}" '
            f'height="{_PLOT_H}" fill="{fill}"><title>{escape(band.describe())}</title></rect>'
        )
        if right - left > 60:  # label only bands wide enough to read
            parts.append(
                f'<text x="{left + 4:.1f}" y="{_TOP + 14}" font-size="10" fill="#333333">'
                f"{escape(_short(band.detail, int((right - left) / 6)))}</text>"
            )
    return parts


def _axes(low: float, high: float, top_kw: float, x: _Scale, y: _Scale) -> list[str]:
    base = _TOP + _PLOT_H
    parts = [
        f'<line x1="{_LEFT}" y1="{base}" x2="{_LEFT + _PLOT_W}" y2="{base}" stroke="#333333"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{base}" stroke="#333333"/>',
    ]
    for soc in _ticks(low, high):
        parts.append(f'<text x="{x(soc):.1f}" y="{base + 16}" text-anchor="middle">{soc:g}</text>')
    for kw in _ticks(0, top_kw):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(kw):.1f}" x2="{_LEFT + _PLOT_W}" y2="{y(kw):.1f}" '
            'stroke="#dddddd"/>'
        )
        parts.append(f'<text x="{_LEFT - 6}" y="{y(kw) + 4:.1f}" text-anchor="end">{kw:g}</text>')
    parts.append(
        f'<text x="{_LEFT + _PLOT_W / 2}" y="{_H - 14}" text-anchor="middle">'
        "State of charge (%)</text>"
    )
    label_y = _TOP + _PLOT_H / 2
    parts.append(
        f'<text x="16" y="{label_y}" text-anchor="middle" '
        f"transform={quoteattr(f'rotate(-90 16 {label_y})')}>Power (kW)</text>"
    )
    return parts


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = _nice_ceiling((high - low) / count)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _nice_ceiling(value: float) -> float:
    """Round up to 1, 2, 2.5 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10.0 * magnitude


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"
