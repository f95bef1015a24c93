from django.shortcuts import render

from agents.access import agent_required


@agent_required
def ticket_detail(request, reference):
    return render(request, "agents/base.html", {"section": "queue"})
