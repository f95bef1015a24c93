"""The ticket form's page: what it shows and how it answers (a page, or JSON for the upload script), shared by
the form's views and the page that keeps the form when the database or the storage fails (tickets/outage.py)."""

import re
import secrets

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from tickets import selectors, services
from tickets.forms import DEFAULT_STEP_ROWS, MAX_STEPS

SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def step_rows(steps: list[str], extra: int = 0) -> list[str]:
    rows = list(steps)
    while rows and not rows[-1].strip() and len(rows) > DEFAULT_STEP_ROWS:
        rows.pop()
    rows += [""] * max(0, DEFAULT_STEP_ROWS - len(rows))
    rows += [""] * extra
    return rows[:MAX_STEPS]


# The fields in the order the page shows them (not the declared order, which puts the contact first), with
# the files where the first file input is: the error summary reads like the page.
FILES = "files"
PAGE_ORDER = (
    "description",
    FILES,
    "occurred_when",
    "occurred_at",
    "response_code",
    "screen_text",
    "tried_fixes",
    "merchant_id",
    "terminal_id",
    "terminal_model",
    "serial_number",
    "acquirer",
    "location",
    "amount",
    "trace_number",
    "batch_number",
    "auth_code",
    "reference_number",
    "card_masked",
    "contact_name",
    "phone",
    "email",
)


def error_summary(form, file_errors) -> list[dict]:
    """Every error of the page, each with the field it links to, in the page's order."""
    errors = form.errors if form.is_bound else {}
    names = [*PAGE_ORDER, *(name for name in errors if name not in PAGE_ORDER and name != "__all__")]
    items = []
    for name in names:
        if name == FILES:
            items += [{"anchor": "id_photos", "label": _("Photos and files"), "message": e} for e in file_errors]
        elif name in errors:
            field = form[name]
            anchor = f"{field.auto_id}_0" if name == "occurred_when" else field.auto_id
            items += [{"anchor": anchor, "label": field.label, "message": e} for e in errors[name]]
    return items


def form_context(
    form, *, steps, submission_key, article, notices=(), file_errors=(), terminals=(), pending=None
) -> dict:
    return {
        "form": form,
        "steps": steps,
        "submission_key": submission_key,
        "article": article,
        "pending": selectors.pending_uploads(submission_key) if pending is None else pending,
        "notices": list(notices),
        "file_errors": list(file_errors),
        "error_summary": error_summary(form, list(file_errors)),
        "max_files": settings.TICKET_MAX_FILES,
        "max_file_mb": settings.TICKET_MAX_FILE_BYTES // (1024 * 1024),
        "max_total_mb": settings.TICKET_MAX_TOTAL_BYTES // (1024 * 1024),
        "max_steps": MAX_STEPS,
        "terminals": list(terminals),
        # The header's language buttons send this form along, so switching language keeps what was typed.
        "keep_form_url": "tickets:new",
        "keep_form_id": "ticket-form",
    }


def render_form(request, context, status):
    if wants_json(request) and request.method == "POST":
        form = context["form"]
        errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()} if form.is_bound else {}
        if context["file_errors"]:
            errors["files"] = [str(m) for m in context["file_errors"]]
        return JsonResponse(
            {
                "errors": errors,
                # The re-rendered form, so the page can show the errors and the files kept without reloading.
                "html": render_to_string("tickets/new.html#ticket-form", context, request=request),
            },
            status=status if status >= 400 else 400,
        )
    return render(request, "tickets/new.html", context, status=status)


def submission_key(post) -> str:
    """The key the form was issued with, or a fresh one for anything we did not issue (ours never hold a
    card number; a forged one could, and it is stored)."""
    key = post.get("submission_key", "")
    if SUBMISSION_KEY.match(key) and not services.mask_text("submission_key", key)[1]:
        return key
    return secrets.token_urlsafe(24)
