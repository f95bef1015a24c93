"""The API's typed shapes: the OpenAPI document is generated from these."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class ProblemOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: dict[str, list[str]] | None = None


class SearchHitOut(Schema):
    title: str
    url: str
    snippet: str
    line: str
    kind: str


class SearchOut(Schema):
    query: str
    exact_match: bool
    codes: list[str]
    results: list[SearchHitOut]


class PhotoSearchOut(Schema):
    text: str
    codes: list[str]
    results: list[SearchHitOut]


class CategoryOut(Schema):
    slug: str
    name: str
    description: str


class ArticleSummaryOut(Schema):
    slug: str
    language: str
    title: str
    summary: str
    category: str
    codes: list[str]
    url: str
    updated_at: datetime


class ArticleOut(ArticleSummaryOut):
    body_html: str


class CodeOut(Schema):
    code: str
    name: str
    action: str
    resign: str = Field(description="Whether signing on again helps: yes, no or maybe.")
    screen_texts: list[str]
    url: str


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    author: str = Field(description="merchant, agent or system")
    body: str
    internal: bool
    created_at: datetime
    attachments: list[AttachmentOut]


class TicketOut(Schema):
    reference: str
    status: str
    status_label: str
    created_at: datetime
    updated_at: datetime
    merchant_id: str
    terminal_id: str
    response_code: str
    messages: list[MessageOut]


class TicketCreatedOut(Schema):
    reference: str
    status: str
    created: bool = Field(description="False when the Idempotency-Key was used before: the earlier ticket.")
    tracking_url: str | None = Field(None, description="The merchant's private link; only when just created.")


class TicketSummaryOut(Schema):
    reference: str
    status: str
    priority: str
    assignee: str | None
    merchant_id: str
    terminal_id: str
    response_code: str
    created_at: datetime
    updated_at: datetime


class TicketPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[TicketSummaryOut]


class TicketChangeIn(Schema):
    # Listed so the OpenAPI document tells an integrator the values (tickets.models.Ticket.Status, Priority).
    status: Literal["new", "open", "waiting_on_merchant", "resolved", "closed"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    assignee: str | None = Field(None, description="An agent's username, or an empty string to unassign.")


class AgentReplyIn(Schema):
    body: str = Field(min_length=1, max_length=10000)
    internal: bool = Field(False, description="An internal note (needs the agent:notes scope).")
