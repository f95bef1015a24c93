"""Strings of Django's own admin that Django 6.1's Chinese catalog does not translate yet.

Never imported: listing them here keeps them in locale/ when `make messages` runs makemessages, and our
catalog (first in LOCALE_PATHS) then translates them wherever Django shows them. Remove an entry once
Django's catalog has it.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_STRINGS = [
    gettext_noop("- Select an option -"),  # the empty choice of a select (django.db.models.fields)
    gettext_noop("Filter by %(field_name)s"),  # admin/date_hierarchy.html
    gettext_noop("Logout"),  # registration/logged_out.html
]
