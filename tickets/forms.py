import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infra import sms
from infra.masking import MASKED_CARD, mask_card_numbers, mask_digits
from infra.validators import no_card_number
from tickets.details import DETAIL_NAMES
from tickets.models import OccurredWhen

# The form's own fields, besides the merchant's details: its identity and the bots' honeypot.
FORM_ONLY_FIELDS = ("submission_key", "website")
MAX_STEPS = 20
DEFAULT_STEP_ROWS = 1
# How the form writes and reads back "when did it happen" (an HTML datetime-local value).
OCCURRED_AT_FORMAT = "%Y-%m-%dT%H:%M"
CLOCK_SKEW = timedelta(minutes=10)
# Tickets are about recent problems; a far-off date is a typing slip (and year 1 used to crash the form).
OLDEST_PROBLEM = timedelta(days=366)
_SEPARATORS = re.compile(r"[\s\-－—]+")
_MID = re.compile(r"^\d{11}[A-Z0-9]{4}$")
_TID = re.compile(r"^[A-Z0-9]{8}$")
_SIX_DIGITS = re.compile(r"^\d{6}$")
_RRN = re.compile(r"^[A-Z0-9]{12}$")
_AUTH = re.compile(r"^[A-Z0-9]{6}$")
_CODE = re.compile(r"^[A-Z0-9]{2,4}$")
_SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,39}$")


def phone_clean(raw: str) -> str:
    """A mobile number in its stored form (infra.sms.normalize), or the reason it is not one."""
    if mask_card_numbers(raw)[1]:
        # A number is stored as typed, never masked: one that could be a card number is not stored at all.
        raise ValidationError(
            _(
                "This number looks like a bank card number, so it cannot be stored. If it really is your mobile "
                "number, give an email address instead."
            )
        )
    try:
        return sms.normalize(raw)
    except sms.InvalidNumber as error:
        if error.kind == "international":
            message = _(
                "“%(value)s” is not a complete international number. Write + and the country code, then the "
                "number, e.g. +852 9123 4567."
            )
        else:
            message = _(
                "“%(value)s” is not a mainland mobile number. It has 11 digits and starts with 13 to 19, "
                "e.g. 138 0013 8000. For another country, write + and the country code first."
            )
        raise ValidationError(message, params={"value": raw}) from None


def compact(value: str) -> str:
    """Drop spaces and dashes (also full-width ones) and make letters upper case: how IDs are compared."""
    return _SEPARATORS.sub("", value or "").translate({0xFF10 + n: 0x30 + n for n in range(10)}).upper()


class AmountField(forms.DecimalField):
    """Accepts what people type on a phone: ¥ signs, thousands separators, a full-width point."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("¥", "").replace("￥", "").replace(",", "").replace("，", "")
            value = value.replace("。", ".").replace("．", ".").replace("元", "").strip()
        return super().to_python(value)


class TicketForm(forms.Form):
    """The merchant's description of a problem. Files and steps are read from the request by the view."""

    # Contact
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        error_messages={"required": _("Please enter your name, so support knows whom to ask for.")},
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=24,
        required=False,
        help_text=_("A mainland China mobile number, e.g. 138 0013 8000; another country's with + first."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=254,
        help_text=_("We send a receipt with your tracking link there."),
        error_messages={"invalid": _("This email address is not complete. Check it looks like name@example.com.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # Terminal
    merchant_id = forms.CharField(
        label=_("Merchant ID (MID, 商户编号)"),
        max_length=30,
        help_text=_("15 characters, printed on every receipt."),
        error_messages={
            "required": _("Please enter the merchant ID (MID). It is printed on every receipt as 商户编号.")
        },
    )
    terminal_id = forms.CharField(
        label=_("Terminal ID (TID, 终端编号)"),
        max_length=20,
        help_text=_("8 characters, printed on every receipt."),
        error_messages={
            "required": _("Please enter the terminal ID (TID). It is printed on every receipt as 终端编号.")
        },
    )
    serial_number = forms.CharField(
        label=_("Serial number (SN)"),
        max_length=40,
        required=False,
        help_text=_("On the label under the terminal."),
    )
    terminal_model = forms.CharField(label=_("Brand and model"), max_length=80, required=False)
    acquirer = forms.CharField(label=_("Acquiring bank or service provider"), max_length=80, required=False)

    # What happened: the merchant picks how they know when (no silent default); only "another time" needs a
    # typed time, and a time given with "earlier today" is kept as their guess.
    occurred_when = forms.ChoiceField(
        label=_("When did it happen?"),
        choices=OccurredWhen.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose when it happened: just now, earlier today or another time.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=OCCURRED_AT_FORMAT),
        help_text=_("China time (Beijing). Needed for “another time”; for “earlier today” if you know it."),
        error_messages={"invalid": _("Enter the date and time like 2026-05-01 14:30.")},
    )
    location = forms.CharField(label=_("Where? (shop name or address)"), max_length=200, required=False)
    response_code = forms.CharField(
        label=_("Response code on the screen"),
        max_length=8,
        required=False,
        help_text=_("Usually 2 characters, e.g. A0, 77 or 99. Leave empty if none was shown."),
    )
    screen_text = forms.CharField(
        label=_("Exact text on the screen"),
        max_length=300,
        required=False,
        help_text=_("Copy it word for word, e.g. 请重新签到."),
    )
    description = forms.CharField(
        label=_("What were you doing when it happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _(
                "Please describe what happened, e.g. which payment you were taking and what the terminal did."
            ),
            "max_length": _("Please shorten the description to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    tried_fixes = forms.MultipleChoiceField(
        label=_("Which of the article's suggestions did you already try?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Transaction (optional)
    amount = AmountField(
        label=_("Amount (yuan)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter the amount as a number, e.g. 128.50."),
            "min_value": _("The amount must be more than 0."),
            "max_decimal_places": _("The amount can have at most 2 decimal places (fen), e.g. 128.50."),
            "max_digits": _("This amount is too large; check it."),
            "max_whole_digits": _("This amount is too large; check it."),
        },
    )
    trace_number = forms.CharField(
        label=_("Trace / voucher no. (凭证号)"), max_length=20, required=False, help_text=_("6 digits.")
    )
    batch_number = forms.CharField(
        label=_("Batch no. (批次号)"), max_length=20, required=False, help_text=_("6 digits.")
    )
    reference_number = forms.CharField(
        label=_("Reference no. (参考号)"), max_length=30, required=False, help_text=_("12 characters.")
    )
    auth_code = forms.CharField(
        label=_("Authorization code (授权码)"), max_length=20, required=False, help_text=_("6 characters.")
    )
    card_masked = forms.CharField(
        label=_("Card (masked)"),
        max_length=40,
        required=False,
        help_text=_("Only the first 6 and last 4 digits, e.g. 622848******1234. Never the full number."),
    )

    # Context carried over from the article or search, and the form's identity.
    article_slug = forms.SlugField(required=False, max_length=80, widget=forms.HiddenInput)
    search_query = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    submission_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    # Honeypot: hidden from people, filled in by form-spamming bots.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))

    # The declared order (tickets/details.py); `steps` is no field here, as the view reads its repeated inputs.
    field_order = [*DETAIL_NAMES, *FORM_ONLY_FIELDS]

    def __init__(self, *args, fix_choices: list[str] | None = None, steps: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tried_fixes"].choices = [(text, text) for text in fix_choices or []]
        self.steps = steps or []
        self.notices: list[str] = []

    # --- Contact ---

    def clean_email(self):
        email = self.cleaned_data["email"]
        if mask_card_numbers(email)[1]:
            # Masking would leave an address that reaches nobody; refuse it and say why.
            raise ValidationError(
                _("This looks like a card number, not an email address. Never send card numbers; enter your email.")
            )
        return email

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        return phone_clean(raw) if raw.strip() else ""

    # --- Terminal ---

    def clean_merchant_id(self):
        mid = compact(self.cleaned_data["merchant_id"])
        if not _MID.match(mid):
            raise ValidationError(
                _(
                    "A merchant ID (MID) has 15 characters: 11 digits, then 4 digits or letters (you entered "
                    "%(count)d). Copy it from a receipt, where it is printed as 商户编号."
                ),
                params={"count": len(mid)},
            )
        return mid

    def clean_terminal_id(self):
        tid = compact(self.cleaned_data["terminal_id"])
        if not _TID.match(tid):
            raise ValidationError(
                _(
                    "A terminal ID (TID) has 8 digits or letters (you entered %(count)d). Copy it from a "
                    "receipt, where it is printed as 终端编号."
                ),
                params={"count": len(tid)},
            )
        return tid

    def clean_serial_number(self):
        serial = self.cleaned_data["serial_number"].strip().replace(" ", "")
        if serial and not _SERIAL.match(serial):
            raise ValidationError(
                _("The serial number may contain only letters, digits and - _ / . — copy it from the label.")
            )
        return serial

    # --- What happened ---

    def clean_occurred_when(self):
        # A ChoiceField: only the three offered values reach here.
        return self.cleaned_data["occurred_when"]

    def clean_occurred_at(self):
        when = self.cleaned_data["occurred_at"]
        if when is None:
            return None
        # Compared as wall-clock times: converting a date like 0001-01-01 to UTC would overflow.
        if when.replace(tzinfo=None) < timezone.localtime().replace(tzinfo=None) - OLDEST_PROBLEM:
            raise ValidationError(
                _(
                    "This date is more than a year ago. Enter when it happened (China time), e.g. today; "
                    "for an older problem, give the date in the description."
                )
            )
        if when > timezone.now() + CLOCK_SKEW:
            raise ValidationError(
                _("This time is in the future. Enter when it happened (China time), e.g. a few minutes ago.")
            )
        return when

    def _clean_when(self, cleaned: dict) -> None:
        """The time stored: the typed one, or the sending time for "just now" and an untimed "earlier today"
        (the agent sees which, as the merchant's estimate)."""
        when, typed = cleaned.get("occurred_when"), cleaned.get("occurred_at")
        if when is None or "occurred_at" in self.errors:
            return
        if when == OccurredWhen.ANOTHER_TIME and typed is None:
            self.add_error("occurred_at", _("Please enter the date and time it happened."))
        elif when == OccurredWhen.JUST_NOW or typed is None:
            cleaned["occurred_at"] = timezone.now()

    def clean_response_code(self):
        code = compact(self.cleaned_data["response_code"])
        if code and not _CODE.match(code):
            raise ValidationError(
                _("A response code is 2 to 4 letters or digits, e.g. A0, 77 or 99. Leave it empty if none was shown.")
            )
        return code

    # --- Transaction ---

    def _digits(self, name: str, pattern: re.Pattern, message) -> str:
        value = compact(self.cleaned_data[name])
        if value and not pattern.match(value):
            raise ValidationError(message, params={"count": len(value)})
        return value

    def clean_trace_number(self):
        return self._digits(
            "trace_number",
            _SIX_DIGITS,
            _("The trace / voucher no. has exactly 6 digits, including leading zeros, e.g. 000123."),
        )

    def clean_batch_number(self):
        return self._digits(
            "batch_number",
            _SIX_DIGITS,
            _("The batch no. has exactly 6 digits, including leading zeros, e.g. 000001."),
        )

    def clean_reference_number(self):
        return self._digits(
            "reference_number",
            _RRN,
            _("The reference no. (参考号) has 12 digits or letters (you entered %(count)d). Copy it from the receipt."),
        )

    def clean_auth_code(self):
        return self._digits(
            "auth_code",
            _AUTH,
            _(
                "The authorization code (授权码) has 6 digits or letters (you entered %(count)d). "
                "Copy it from the receipt."
            ),
        )

    def clean_card_masked(self):
        raw = self.cleaned_data["card_masked"]
        value = compact(raw).replace("X", "*").replace("＊", "*")
        if not value:
            return ""
        if value.isdigit() and 13 <= len(value) <= 19:
            # A full card number: never keep or show it; keep the part we are allowed to keep.
            self.notices.append(
                str(
                    _(
                        "You entered a full card number. We kept only the first 6 and last 4 digits; "
                        "please never send the full number."
                    )
                )
            )
            return mask_digits(value)
        if not MASKED_CARD.match(value):
            raise ValidationError(
                _(
                    "Enter the card masked, like 622848******1234 (the first 6 and the last 4 digits), "
                    "or leave it empty."
                )
            )
        return value

    def clean(self):
        cleaned = super().clean()
        self._clean_when(cleaned)
        if (
            not cleaned.get("phone")
            and not cleaned.get("email")
            and "phone" not in self.errors
            and "email" not in self.errors
        ):
            self.add_error(
                "phone", _("Please give a mobile phone number or an email address, so support can reach you.")
            )
        try:
            cleaned["steps"] = self._clean_steps()
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def _clean_steps(self) -> list[str]:
        """Steps come from repeated inputs; empty rows are dropped, each row is limited."""
        steps = [step.strip() for step in self.steps if step and step.strip()]
        if len(steps) > MAX_STEPS:
            raise ValidationError(_("Please describe the steps in at most %(max)d lines.") % {"max": MAX_STEPS})
        for step in steps:
            if len(step) > 300:
                raise ValidationError(_("Please keep each step under 300 characters."))
        return steps


class FindTicketForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference, or the terminal's MID or TID"),
        max_length=24,
        help_text=_("The reference is on the confirmation page and in the receipt, e.g. POS-2026-000123."),
        error_messages={"required": _("Please enter the reference, e.g. POS-2026-000123, or the MID or TID.")},
    )
    contact = forms.CharField(
        label=_("The email address or mobile number you gave on the request"),
        max_length=254,
        validators=[no_card_number],
        error_messages={"required": _("Please enter the email address or mobile number you gave.")},
    )

    def clean_reference(self):
        value = compact(self.cleaned_data["reference"])
        if _MID.match(value) or _TID.match(value):
            return value
        if not re.fullmatch(r"POS\d{4}\d{6,}", value.replace("-", "")):
            raise ValidationError(_("A reference looks like POS-2026-000123; a MID has 15 characters, a TID 8."))
        digits = value.replace("-", "")[3:]
        return f"POS-{digits[:4]}-{digits[4:]}"

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if "@" in contact:
            return contact
        return phone_clean(contact)

    @property
    def is_email(self) -> bool:
        return "@" in self.cleaned_data.get("contact", "")


class FindCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        error_messages={"required": _("Please enter the 6-digit code from the SMS.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "maxlength": "12"}
        ),
    )

    def clean_code(self):
        code = compact(self.cleaned_data["code"])
        if not _SIX_DIGITS.match(code):
            raise ValidationError(_("The code has 6 digits, e.g. 123456."))
        return code


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Please shorten your message to %(limit_value)d characters.")},
    )


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email"),
        required=True,
        validators=[no_card_number],
        help_text=_("For receipts and replies to your tickets."),
        error_messages={"invalid": _("This email address is not complete. Check it looks like name@example.com.")},
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(no_card_number)
