from django import forms
from django.utils.translation import gettext_lazy as _


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Choose yes or no."), "invalid_choice": _("Choose yes or no.")},
    )
    # Where the merchant came from, carried on to the ticket form when the article did not help.
    q = forms.CharField(required=False, max_length=200)
    code = forms.CharField(required=False, max_length=4)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Describe the problem or type the code on the screen"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Please shorten your search to %(limit_value)d characters.")},
    )


class MarkdownPreviewForm(forms.Form):
    content = forms.CharField(required=False, max_length=200_000, strip=False)


class RestoreForm(forms.Form):
    publish = forms.TypedChoiceField(
        label=_("After restoring"),
        choices=[
            ("", _("Keep it as a draft revision to review; the article stays as it is")),
            ("yes", _("Publish it at once")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
