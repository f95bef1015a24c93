"""The console's pages, one module per area (queue, ticket, dashboard), each behind agent_required."""
