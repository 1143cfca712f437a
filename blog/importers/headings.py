"""Heading levels of an imported body, so the page's outline holds.

The article's title is the page's only <h1>; a body starts its sections at <h2>.
Substack writes its section headings as <h3> and Ghost lets an editor pick any level:
a body whose highest heading is not <h2> has every heading moved by the same number
of levels (the relative outline kept; <h6> at the deepest), which a screen reader's
heading list, and axe's heading-order rule, then read in order.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"<(/?)h([1-6])\b", re.I)


def outline(html: str) -> str:
    levels = [int(m[2]) for m in _HEADING.finditer(html) if not m[1]]
    if not levels or min(levels) == 2:
        return html
    shift = 2 - min(levels)
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + shift)}", html)
