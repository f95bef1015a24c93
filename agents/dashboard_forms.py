"""The dashboard's one input: which period its figures cover."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agents.stats import DEFAULT_PERIOD, PERIODS


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=DEFAULT_PERIOD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels built per request, in the language of the request.
        self.fields["days"].choices = [(days, gettext("Last %(days)s days") % {"days": days}) for days in PERIODS]

    def period(self) -> int:
        """The chosen number of days; the default when nothing or something invalid was asked for."""
        if self.is_valid():
            return self.cleaned_data["days"]
        return DEFAULT_PERIOD
