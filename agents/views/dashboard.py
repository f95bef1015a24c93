"""The dashboard: what the support team faces now and what the knowledge base should say next."""

from datetime import datetime, timedelta

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agents import charts, csat, stats
from agents.access import AgentRequest, agent_required
from agents.dashboard_forms import PeriodForm
from infra.i18n import current_language


def duration_text(value: timedelta | None) -> str:
    """A median duration as agents say it: days and hours, hours and minutes, or minutes."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


def percent_text(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def _targets(data: stats.Dashboard) -> list[dict]:
    rows = [(_("First response"), data.first_response), (_("Resolution"), data.resolution)]
    return [
        {
            "name": name,
            "median": duration_text(target.median),
            "target_median": duration_text(target.target_median),
            "done": target.done,
            "met": target.met,
            "judged": target.judged,
            "share": percent_text(target.met_share),
        }
        for name, target in rows
    ]


def _charts(data: stats.Dashboard) -> dict:
    day_label = [(formats.date_format(day, "m-d"), count) for day, count in data.per_day]
    return {
        "open": charts.stacked_bar_chart(
            chart_id="chart-open",
            title=_("Open tickets by status and priority"),
            series=data.open_tickets.priorities,
            rows=[(row.label, row.counts) for row in data.open_tickets.rows],
        ),
        "per_day": charts.column_chart(
            chart_id="chart-per-day",
            title=_("New tickets per day, last %(days)s days") % {"days": len(data.per_day)},
            columns=day_label,
        ),
        "codes": charts.bar_chart(
            chart_id="chart-codes",
            title=_("Top response codes"),
            rows=[(row.label, row.value) for row in data.top_codes],
        ),
        "articles": charts.bar_chart(
            chart_id="chart-articles",
            title=_("Top source articles"),
            rows=[(row.label, row.value) for row in data.top_articles],
        ),
    }


@agent_required
@require_safe
def dashboard(request: AgentRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    data = stats.dashboard_cached(days=form.period(), language=current_language())
    context = {
        "section": "dashboard",
        "form": form,
        "data": data,
        "charts": _charts(data),
        "targets": _targets(data),
        "deflection_rate": percent_text(data.deflection.rate),
        "cache_seconds": stats.CACHE_SECONDS,
        "satisfaction": _satisfaction(data.since),
    }
    return render(request, "agents/dashboard.html", context)


def _satisfaction(since: datetime) -> dict:
    """The merchants' "did this solve it?" answers per agent and per article, read fresh (not cached)."""
    return {
        "agents": csat.per_agent(since=since, nobody=_("No agent")),
        "articles": csat.per_article(since=since, language=current_language(), nobody=_("No article")),
    }


@agent_required
@require_POST
def dashboard_refresh(request: AgentRequest) -> HttpResponse:
    """Recompute the figures of the period shown (for every agent), then show them."""
    form = PeriodForm(request.POST)
    days = form.period()
    stats.dashboard_refresh(days=days, language=current_language())
    return redirect(f"{reverse('agents:dashboard')}?{urlencode({'days': days})}")
