"""The audience area (editors): what readers read, where from, and what it brought.

Thin views over blog/audience/api.py: the dashboard, one article's page, and a CSV
file of every table. Numbers come from the daily tables the worker rolls up.
"""

from flask import Response, abort, render_template, request, stream_with_context

from blog.admin.common import area
from blog.audience.api import (
    PERIODS,
    TABLES,
    article_tables,
    bars,
    columns,
    csv_lines,
    period,
    queries,
)
from blog.extensions import db
from blog.models import Article, Role

bp = area("audience", __name__, Role.EDITOR)


@bp.get("/audience")
def dashboard() -> str:
    days = period(request.args.get("days"))
    chosen = queries.Period(days)
    series = queries.daily(days)
    weeks = queries.weekly(max(days, 28))
    tops = {n: queries.top_articles(chosen if n == days else queries.Period(n)) for n in (1, 7, 30)}
    sections = queries.top_sections(chosen)
    sources = queries.sources(chosen)
    return render_template(
        "admin/audience.html",
        days=days,
        periods=PERIODS,
        tables=TABLES,
        series=series,
        series_chart=columns(series),
        weeks=weeks,
        weeks_chart=columns(weeks),
        tops=tops,
        tops_charts={n: bars([(t, v) for _, t, _, v in rows]) for n, rows in tops.items()},
        sections=sections,
        sections_chart=bars([(name, v) for _, name, v in sections]),
        sources=sources,
        sources_chart=bars(sources),
        shares=queries.shares(chosen),
        referrers=queries.referrers(chosen),
        campaigns=queries.campaigns(chosen),
        funnel=queries.funnel(chosen),
        section_funnel=[row[1:] for row in queries.section_funnel(chosen)],
    )


@bp.get("/audience/article/<int:article_id>")
def article(article_id: int) -> str:
    found = db.get_or_404(Article, article_id)
    daily = queries.article_daily(found)
    return render_template(
        "admin/audience_article.html",
        article=found,
        daily=daily,
        daily_chart=columns([(day, views, 0) for day, views in daily]),
        referrers=queries.article_referrers(found),
        totals=queries.article_totals(found),
    )


def _csv(name: str, rows, filename: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename={filename}"}
    return Response(stream_with_context(csv_lines(rows[0], rows[1])), mimetype="text/csv",
                    headers=headers)  # fmt: skip


@bp.get("/audience/<name>.csv")
def export(name: str) -> Response:
    table = TABLES.get(name)
    if table is None:
        abort(404)
    days = period(request.args.get("days"))
    return _csv(name, (table, table.rows(days)), f"audience-{name}-{days}d.csv")


@bp.get("/audience/article/<int:article_id>/<name>.csv")
def article_export(article_id: int, name: str) -> Response:
    found = db.get_or_404(Article, article_id)
    table = article_tables(found).get(name)
    if table is None:
        abort(404)
    return _csv(name, (table, table.rows(0)), f"audience-article-{found.id}-{name}.csv")
