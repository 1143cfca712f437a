"""What other features use of audience: the dashboard's queries, charts and tables.

`queries` (the numbers), `charts` (`columns`, `bars`: SVG geometry), `TABLES` and
`article_tables` (every table with its headings), `period` (?days=), `csv_lines`.
"""

from blog.audience import queries
from blog.audience.charts import COLOURS, bars, columns
from blog.audience.report import PERIODS, TABLES, article_tables, csv_lines, period

__all__ = [
    "COLOURS",
    "PERIODS",
    "TABLES",
    "article_tables",
    "bars",
    "columns",
    "csv_lines",
    "period",
    "queries",
]
