"""All outbound SMS goes through this package, shaped like Django's email backends: `SMS_BACKEND` names the
backend class (console, file, locmem for development and tests; Alibaba Cloud or Tencent Cloud in
production), `send_templated` renders a message and hands it to it. Infrastructure: it imports no app.

Chinese SMS providers send only texts registered with them in advance: a message is a template code (from
`SMS_TEMPLATES`, one per kind of message) and its parameters (`link`, `code`). The same text, kept in
`templates/sms/<kind>.txt`, is what the development backends print, so what a developer reads is what the
merchant gets once the provider's template is registered with that text (README, "SMS").
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from infra.sms.numbers import InvalidNumber, e164, normalize

__all__ = [
    "SMS_MAX_CHARS",
    "InvalidNumber",
    "SmsError",
    "SmsMessage",
    "e164",
    "enabled",
    "normalize",
    "outbox",
    "send_templated",
]

# One SMS holds 70 characters when any of them is Chinese (UCS-2), the signature included; longer ones are
# split and billed as several, and some phones show them out of order.
SMS_MAX_CHARS = 70


class SmsError(Exception):
    """The provider did not take the message (refused, unreachable, or answered with an error code)."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # normalized (infra.sms.numbers.normalize): 11 mainland digits, or "+" and the country code
    kind: str  # which template: a key of SMS_TEMPLATES, and templates/sms/<kind>.txt
    params: dict[str, str] = field(default_factory=dict)  # in the order of the template's placeholders
    text: str = ""  # the rendered text, signature included, as the merchant reads it

    @property
    def template_code(self) -> str:
        return settings.SMS_TEMPLATES.get(self.kind, "")


# What the locmem backend has sent, as django.core.mail.outbox (tests clear it).
outbox: list[SmsMessage] = []


def enabled() -> bool:
    """Whether SMS can be sent at all: off (empty SMS_BACKEND) in production until a provider is configured."""
    return bool(settings.SMS_BACKEND)


def render(kind: str, params: dict[str, str]) -> str:
    body = " ".join(render_to_string(f"sms/{kind}.txt", params).split())
    return f"【{settings.SMS_SIGN_NAME}】{body}" if settings.SMS_SIGN_NAME else body


def send_templated(*, kind: str, params: dict[str, str], to: str) -> None:
    """Render `templates/sms/<kind>.txt` in the active language and send it to `to` (normalized first).

    Raises SmsError (or InvalidNumber) when it cannot be sent, so the task that called it can try again.
    """
    if not enabled():
        raise SmsError("SMS is off: SMS_BACKEND is not set")
    message = SmsMessage(to=normalize(to), kind=kind, params=dict(params), text=render(kind, params))
    backend_class = import_string(settings.SMS_BACKEND)
    backend_class().send(message)
