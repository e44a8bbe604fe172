# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An SVG line chart of wall time against the number of flows, written with the standard library."""

import math
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 230, 50, 60
COLOURS = ("#1b6ac9", "#d9480f", "#2b8a3e", "#7048e8")


def _ticks(low, high):
    """Powers of ten (and 2, 5 times them) between ``low`` and ``high``, for a log axis."""
    ticks = []
    exponent = math.floor(math.log10(low))
    while 10 ** exponent <= high:
        for factor in (1, 2, 5):
            value = factor * 10 ** exponent
            if low <= value <= high:
                ticks.append(value)
        exponent += 1
    return ticks


def write_svg(path, title, subtitle, series, max_flows):
    """``series``: a list of (label, measured [(flows, seconds)], extrapolated [(flows, seconds)] or []).

    The y axis (seconds) is logarithmic so that a few seconds and several minutes both show.
    """
    values = [seconds for _label, measured, extra in series for _flows, seconds in measured + extra]
    low = 10 ** math.floor(math.log10(max(min(values), 0.1)))
    high = 10 ** math.ceil(math.log10(max(values)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(flows):
        return LEFT + plot_w * flows / float(max_flows)

    def y_of(seconds):
        return TOP + plot_h * (1 - (math.log10(seconds) - math.log10(low)) / (math.log10(high) - math.log10(low)))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (WIDTH, HEIGHT, WIDTH, HEIGHT),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="20" font-size="15" font-weight="bold">%s</text>' % (LEFT, escape(title)),
           '<text x="%d" y="38" fill="#555">%s</text>' % (LEFT, escape(subtitle))]
    for seconds in _ticks(low, high):
        y = y_of(seconds)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/>' % (LEFT, LEFT + plot_w, y, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#333">%g</text>' % (LEFT - 6, y + 4, seconds))
    for flows in range(0, max_flows + 1, 10):
        x = x_of(flows)
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#e5e5e5"/>' % (x, x, TOP, TOP + plot_h))
        out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#333">%d</text>' % (x, TOP + plot_h + 18, flows))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (LEFT, TOP, plot_w, plot_h))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">number of 5 s flows</text>' % (LEFT + plot_w / 2.0, HEIGHT - 18))
    out.append('<text x="18" y="%.1f" text-anchor="middle" transform="rotate(-90 18 %.1f)">wall time (s, log scale)</text>'
               % (TOP + plot_h / 2.0, TOP + plot_h / 2.0))
    for number, (label, measured, extrapolated) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        if measured:
            points = " ".join("%.1f,%.1f" % (x_of(flows), y_of(seconds)) for flows, seconds in measured)
            out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>' % (points, colour))
            for flows, seconds in measured:
                out.append('<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>' % (x_of(flows), y_of(seconds), colour))
        if extrapolated:
            points = " ".join("%.1f,%.1f" % (x_of(flows), y_of(seconds)) for flows, seconds in extrapolated)
            out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-dasharray="6 4"/>'
                       % (points, colour))
        y = TOP + 10 + 40 * number
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"/>'
                   % (WIDTH - RIGHT + 15, WIDTH - RIGHT + 40, y, y, colour))
        for line_number, text in enumerate(label.split("\n")):
            out.append('<text x="%d" y="%d">%s</text>' % (WIDTH - RIGHT + 46, y + 4 + 14 * line_number, escape(text)))
    y = TOP + 10 + 40 * len(series)
    out.append('<text x="%d" y="%d" fill="#555">solid: measured</text>' % (WIDTH - RIGHT + 15, y))
    out.append('<text x="%d" y="%d" fill="#555">dashed: scaled linearly</text>' % (WIDTH - RIGHT + 15, y + 14))
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("\n".join(out) + "\n")
