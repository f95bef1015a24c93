from django.shortcuts import render


def ticket_new(request):
    return render(request, "tickets/new.html", {})
