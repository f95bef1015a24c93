"""The API's gates: which token is calling, what it may do, and which tickets it may see.

A ticket an integrator did not file is answered 404, exactly as a ticket that does not exist; an agent token
sees what its agent sees in the console, with the agent's permissions as they are at each call.
"""

import hmac

from api import problems
from api.models import ApiClient, ApiTicket, Scope
from api.services import token_hash
from tickets.access import agent_ticket_for, is_agent
from tickets.models import Ticket


def client_for(token: str) -> ApiClient | None:
    if not token or len(token) > 200:
        return None
    digest = token_hash(token)
    client = ApiClient.objects.select_related("user").filter(token_hash=digest, revoked_at__isnull=True).first()
    if client is None or not hmac.compare_digest(client.token_hash, digest):
        return None
    if client.kind == ApiClient.Kind.AGENT and (client.user is None or not is_agent(client.user)):
        return None  # the agent left, or lost the right: the token goes with it
    return client


def require(client: ApiClient, scope: Scope) -> None:
    if not client.allows(scope):
        raise problems.forbidden(scope.value)


def integrator_ticket(client: ApiClient, reference: str) -> Ticket:
    filing = ApiTicket.objects.select_related("ticket").filter(client=client, ticket__reference=reference).first()
    if filing is None:
        raise problems.not_found()
    return filing.ticket


def agent_ticket(client: ApiClient, reference: str) -> Ticket:
    from django.http import Http404

    if client.user is None:  # an integrator token: the database refuses an agent token without one
        raise problems.not_found()
    try:
        return agent_ticket_for(user=client.user, reference=reference, related=("assignee",))
    except Http404:
        raise problems.not_found() from None
