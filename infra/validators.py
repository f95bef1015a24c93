"""Validators shared by the portal's forms."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from infra.masking import mask_card_numbers


def no_card_number(value: str) -> None:
    """For fields whose exact value matters (an address, a user name, a reference): masking would change
    what the person meant, so a card number in one is refused, and the message says why."""
    if value and mask_card_numbers(str(value))[1]:
        raise ValidationError(
            _("This looks like a card number. Never send card numbers here; enter what the field asks for."),
            code="card_number",
        )
