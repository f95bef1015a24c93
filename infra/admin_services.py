"""Admin pages that write only through the services: one mixin instead of a copy per admin.

Django's admin saves and deletes rows itself (`obj.save()`, `obj.delete()`, `queryset.delete()` for the bulk
"delete selected" action). An admin with this mixin hands each of those to its services instead, so the
admin validates, records and notifies exactly as every other caller does:

- `service_save(request, obj, form, change)` makes the add or change through the create or update service
  and returns the saved object;
- `service_delete(request, obj)` removes one object through the delete service; the bulk action and the
  delete page both come here, one object at a time inside one transaction, so a refusal undoes them all;
- inline rows (formsets) must be written by `service_save_rows`; an admin with inlines that does not define
  it is refused rather than let the formset save behind the services' back.
"""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction


class ServiceAdminMixin:
    def service_save(self, request, obj, form, change: bool) -> models.Model:
        raise NotImplementedError(f"{type(self).__name__} must save through a service")

    def service_delete(self, request, obj) -> None:
        # Nothing is deleted unless the admin names the service that does it.
        raise PermissionDenied

    def service_save_rows(self, request, form, formset, change: bool) -> None:
        raise ImproperlyConfigured(f"{type(self).__name__} has inline rows but no service to save them")

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, obj, form, change)
        # The admin's redirect, message and log entry read the object it passed in.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        with transaction.atomic():
            self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.service_delete(request, obj)

    def save_formset(self, request, form, formset, change):
        # The admin's change message reads these lists; the services, not formset.save(), do the writing.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.has_changed():
            self.service_save_rows(request, form, formset, change)


class ReadOnlyAdminMixin:
    """For records that are the trace of a change (audit events, erasures): shown, never added, changed or
    deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
