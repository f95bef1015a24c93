"""The queue: views and filters over the tickets, its self-refreshing fragment, bulk actions, saved views, CSV."""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models.functions import Substr
from django.http import HttpResponse, HttpResponseNotModified, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_etags, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agents import queue_cache, selectors
from agents.access import AgentRequest, agent_required
from agents.export import queue_csv_response
from agents.forms import BulkForm, QueueFilterForm, SavedViewForm, View
from agents.models import SavedView
from agents.views.bulk import bulk_apply
from tickets import selectors as ticket_selectors
from tickets.models import ActorKind

POLL_SECONDS = 20
ROWS = "agents/queue.html#queue-rows"
FILTERS = "agents/queue.html#queue-filters"
BULK = "agents/queue.html#queue-bulk"


@dataclass
class Queue:
    form: QueueFilterForm
    agents: list
    page: Page | None
    version: str
    unread: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        # An empty page is falsy: validity is whether there is a page at all.
        return self.page is not None

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page is not None else 0

    @property
    def unread_here(self) -> int:
        """The unread tickets of the view on screen: its badge and the tab title's."""
        return self.unread.get(self.form.cleaned_data.get("view") or View.ALL, 0) if self.valid else 0


def _clean_query(form: QueueFilterForm) -> str:
    """The filters that were set, as a query string in field order (what a saved view stores)."""
    pairs = [(name, form.data[name]) for name in form.fields if form.data.get(name)]
    return urlencode(pairs)


def _queue(request: AgentRequest) -> Queue:
    """Validate the filters, select and paginate the tickets: a fixed number of queries at any size."""
    agents = selectors.assignable_agents()
    form = QueueFilterForm(request.GET, agents=agents, teams=selectors.teams())
    if not form.is_valid():
        return Queue(form=form, agents=agents, page=None, version="invalid")
    now = timezone.now()
    tickets = selectors.queue_tickets(user=request.user, data=form.cleaned_data, now=now)
    order = selectors.queue_order(user=request.user, sort=form.cleaned_data["sort"])
    newest = queue_cache.stamp()
    count, first_count = queue_cache.ticket_count(
        tickets, data=form.cleaned_data, user=request.user, now=now, newest=newest, first=order.first
    )
    rows = selectors.with_activity(tickets, user=request.user).annotate(summary=Substr("description", 1, 120))
    rows = ticket_selectors.with_terminal_repeats(rows, now=now)
    # Told the count (from queue_cache), the paginator counts the tickets no second time.
    paged = selectors.QueueRows(rows, order=order, count=count, first_count=first_count)
    paginator = Paginator(paged, form.cleaned_data["size"])
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    repeats = {row.pk: row.terminal_repeats for row in page.object_list if row.terminal_repeats}
    for row in page.object_list:
        row.last_from_label = ActorKind(row.last_from).label if row.last_from in ActorKind.values else ""
    unread = queue_cache.unread_counts(
        user=request.user, now=now, stamp=newest, compute=lambda: selectors.unread_counts(user=request.user, now=now)
    )
    version = selectors.queue_version(
        rows=page.object_list,
        count=count,
        # A repeat on another page changes this page's rows too, and the badges are sent with the rows.
        salt=f"{request.user.pk}|{get_language()}|{page.number}|{sorted(repeats.items())}|{sorted(unread.items())}",
        now=now,
    )
    return Queue(form=form, agents=agents, page=page, version=version, unread=unread)


def _rows_html(request: AgentRequest, queue: Queue, context: dict) -> str:
    """The rows, as the page shows them and as the polled fragment sends them (rendered once per version)."""
    if not queue.valid:
        return render_to_string(ROWS, context, request=request)
    return queue_cache.rows_html(
        version=queue.version,
        query=request.GET.urlencode(),
        agents=queue.agents,
        render=lambda: render_to_string(ROWS, context, request=request),
    )


def _context(request: AgentRequest, queue: Queue) -> dict:
    query = request.GET.urlencode()
    shown = {"q", "view", "sort", "size"}
    return {
        "current_view": request.GET.get("view") or View.ALL,
        "filters_open": any(request.GET.get(name) for name in queue.form.fields if name not in shown),
        "section": "queue",
        "queue": queue,
        "views": [(value, label, queue.unread.get(value, 0)) for value, label in View.CHOICES],
        "teams": selectors.teams(),
        "my_teams": [team for team in selectors.teams() if request.user.pk in team.members],
        "current_team": request.GET.get("team", ""),
        "unread_json": json.dumps(queue.unread, sort_keys=True),
        "form": queue.form,
        "page": queue.page,
        "query": query,
        "clean_query": _clean_query(queue.form) if queue.valid else "",
        "rows_url": f"{reverse('agents:queue_rows')}?{query}",
        "export_url": f"{reverse('agents:queue_export')}?{query}",
        "poll_seconds": getattr(settings, "AGENT_QUEUE_POLL_SECONDS", POLL_SECONDS),
        "now": timezone.now(),
    }


@agent_required
@require_GET
def queue(request: AgentRequest) -> HttpResponse:
    current = _queue(request)
    context = _context(request, current)
    context["rows_html"] = _rows_html(request, current, context)
    context["saved_views"] = list(SavedView.objects.filter(owner=request.user))
    context["bulk"] = BulkForm(auto_id="bulk-%s")
    for name, template in (("filters", FILTERS), ("bulk", BULK)):
        context[f"{name}_html"] = queue_cache.controls_html(
            name,
            query=context["query"],
            agents=current.agents,
            teams=selectors.teams(),
            render=lambda template=template: render_to_string(template, context, request=request),
        )
    return render(request, "agents/queue.html", context, status=200 if current.valid else 400)


def _etag(version: str) -> str:
    return f'"{version}"'


@agent_required
@require_GET
def queue_rows(request: AgentRequest) -> HttpResponse:
    """The rows alone, for the page's script: 304 when nothing changed since the ETag it sent."""
    current = _queue(request)
    etag = _etag(current.version)
    # Compared weakly: the gzip middleware marks the ETag of a compressed 200 as weak (W/"…").
    sent = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
    response: HttpResponse
    if current.valid and etag in sent:
        response = HttpResponseNotModified()
    else:
        html = _rows_html(request, current, _context(request, current))
        response = HttpResponse(html, status=200 if current.valid else 400)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@agent_required
@require_GET
def queue_export(request: AgentRequest) -> HttpResponseBase:
    """The whole filtered queue (every page) as CSV, streamed."""
    form = QueueFilterForm(request.GET, agents=selectors.assignable_agents(), teams=selectors.teams())
    if not form.is_valid():
        messages.error(request, _("The export needs valid filters."))
        return redirect(f"{reverse('agents:queue')}?{request.GET.urlencode()}")
    return queue_csv_response(selectors.queue_tickets(user=request.user, data=form.cleaned_data))


def _back(query: str) -> HttpResponseRedirect:
    """Back to the queue with the filters it was on; only a query string is accepted, never an address."""
    return redirect(f"{reverse('agents:queue')}?{QueryDict(query).urlencode()}" if query else "agents:queue")


@agent_required
@require_POST
def queue_bulk(request: AgentRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors))
        return _back(request.POST.get("next", "")[:2000])
    result = bulk_apply(user=request.user, data=form.cleaned_data)
    level = messages.WARNING if result.failures else messages.SUCCESS
    messages.add_message(request, level, result.summary())
    return _back(form.cleaned_data["next"])


@agent_required
@require_POST
def view_save(request: AgentRequest) -> HttpResponse:
    """Save the current filters under a name; the same name again replaces that view's filters."""
    filters = QueueFilterForm(
        QueryDict(request.POST.get("query", "")[:1000]), agents=selectors.assignable_agents(), teams=selectors.teams()
    )
    form = SavedViewForm(request.POST)
    if not filters.is_valid() or not form.is_valid():
        messages.error(request, _("The view was not saved: give it a name and valid filters."))
        return _back(request.POST.get("query", "")[:1000])
    query = _clean_query(filters)
    SavedView.objects.update_or_create(owner=request.user, name=form.cleaned_data["name"], defaults={"query": query})
    messages.success(request, _("View “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
    return _back(query)


@agent_required
@require_POST
def view_delete(request: AgentRequest, pk: int) -> HttpResponse:
    # Someone else's view is as missing as one that never existed.
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("agents:queue")
