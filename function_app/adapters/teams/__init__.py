"""Microsoft Teams: Adaptive Cards posted to Teams Workflows webhooks.

``cards`` builds the cards (plain dicts, no I/O); ``poster.TeamsPoster`` posts them with
httpx, imported only where a poster is made, so importing the app stays cheap;
``errors`` holds what can go wrong. The alerts themselves are decided in
``function_app.domain.alerts``.
"""
