from django.shortcuts import render

from agents.access import agent_required


@agent_required
def dashboard(request):
    return render(request, "agents/base.html", {"section": "dashboard"})
