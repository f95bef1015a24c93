from django.db import migrations, models


def backfill(apps, schema_editor):
    """Fill the search text of tickets that existed before the column: fields, then every message but the first
    (the first message is the description, already in the fields)."""
    from tickets.search import search_text_append, search_text_for

    Ticket = apps.get_model("tickets", "Ticket")
    TicketMessage = apps.get_model("tickets", "TicketMessage")
    for ticket in Ticket.objects.iterator(chunk_size=500):
        text = search_text_for(reference=ticket.reference, values=ticket)
        bodies = TicketMessage.objects.filter(ticket=ticket).order_by("created_at", "pk").values_list("body", flat=True)
        for body in list(bodies)[1:]:
            text = search_text_append(text, body)
        Ticket.objects.filter(pk=ticket.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_console")]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="ticket", index=models.Index(fields=["article_slug"], name="tickets_ticket_article")
        ),
        migrations.AddIndex(model_name="ticket", index=models.Index(fields=["created_at"], name="tickets_ticket_created")),
    ]
