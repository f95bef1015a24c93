from django.shortcuts import render

from agents.access import agent_required


@agent_required
def queue(request):
    return render(request, "agents/base.html", {"section": "queue"})
