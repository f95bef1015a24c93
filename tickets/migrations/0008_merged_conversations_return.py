"""Issue 18: merges used to move the duplicate's messages and files into the survivor, where the survivor's
requester read them and the duplicate's link led. Each message still has the event that recorded it (created,
reply, note, status) on the ticket it was written on: give it, and its files, back to that ticket."""

from django.db import migrations
from django.db.models import F


def conversations_return(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    TicketMessage = apps.get_model("tickets", "TicketMessage")
    Attachment = apps.get_model("tickets", "Attachment")
    merged = Ticket.objects.filter(merged_into__isnull=False).values_list("pk", flat=True)
    moved = (
        TicketEvent.objects.filter(ticket_id__in=merged, message__isnull=False)
        .exclude(message__ticket_id=F("ticket_id"))
        .values_list("message_id", "ticket_id")
    )
    for message_id, origin_id in list(moved):
        TicketMessage.objects.filter(pk=message_id).update(ticket_id=origin_id)
        Attachment.objects.filter(message_id=message_id).update(ticket_id=origin_id)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_queue_sort_columns")]

    operations = [migrations.RunPython(conversations_return, migrations.RunPython.noop)]
