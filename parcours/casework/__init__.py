"""Cases and personalised support plans: needs, goals, actions, follow-up visits, closure."""
