"""The admin mixin hands every save and deletion to the services, and the audit record keeps what changed."""

from unittest import mock

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory

from infra.admin_services import ServiceAdminMixin
from infra.audit import Action, audit_record, changes_between
from infra.models import AuditEvent
from tickets.models import CannedReply

pytestmark = pytest.mark.django_db


class Plain(ServiceAdminMixin, admin.ModelAdmin):
    pass


def test_an_admin_that_names_no_delete_service_deletes_nothing():
    reply = CannedReply.objects.create(title="t", body="b")
    with pytest.raises(PermissionDenied):
        Plain(CannedReply, admin.site).delete_queryset(RequestFactory().post("/"), CannedReply.objects.all())
    assert CannedReply.objects.filter(pk=reply.pk).exists()


def test_a_bulk_deletion_refused_halfway_deletes_nothing():
    first, second = CannedReply.objects.create(title="1", body="b"), CannedReply.objects.create(title="2", body="b")

    class Picky(Plain):
        def service_delete(self, request, obj):
            if obj.pk == second.pk:
                raise PermissionDenied
            obj.delete()

    with pytest.raises(PermissionDenied):
        Picky(CannedReply, admin.site).delete_queryset(RequestFactory().post("/"), CannedReply.objects.order_by("pk"))
    assert CannedReply.objects.filter(pk=first.pk).exists()


def test_changed_inline_rows_without_a_service_are_refused_not_saved():
    formset = mock.Mock(has_changed=mock.Mock(return_value=True))
    with pytest.raises(ImproperlyConfigured):
        Plain(CannedReply, admin.site).save_formset(RequestFactory().post("/"), None, formset, True)
    formset.save.assert_not_called()


def test_unchanged_inline_rows_need_no_service():
    formset = mock.Mock(has_changed=mock.Mock(return_value=False))
    Plain(CannedReply, admin.site).save_formset(RequestFactory().post("/"), None, formset, True)
    assert formset.new_objects == formset.changed_objects == formset.deleted_objects == []


def test_the_record_keeps_only_the_fields_that_changed():
    assert changes_between({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "x"}) == {"b": ["2", "3"], "c": ["", "x"]}


def test_a_change_that_changes_nothing_is_not_recorded(agent):
    reply = CannedReply.objects.create(title="t", body="b")
    assert audit_record(actor=agent, action=Action.CHANGED, instance=reply, before={"a": "1"}, after={"a": "1"}) is None
    assert not AuditEvent.objects.exists()


def test_a_command_without_a_user_is_recorded_without_one():
    reply = CannedReply.objects.create(title="t", body="b")
    event = audit_record(actor=None, action=Action.DELETED, instance=reply, before={"title": "t"})
    assert event is not None
    assert (event.actor, event.actor_username, event.model) == (None, "", "tickets.cannedreply")
