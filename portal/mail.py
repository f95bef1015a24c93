"""All outbound mail goes through this module, so tests (and the notification tasks) have one place to patch."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated(*, template: str, context: dict, to: str) -> None:
    """Send `<template>_subject.txt`, `<template>.txt` and `<template>.html` rendered with `context`.

    Rendered in the active language (the caller overrides it with the recipient's). Raises on any transport
    failure, so the task that called it can try again later.
    """
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject=subject, body=render_to_string(f"{template}.txt", context), to=[to])
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
