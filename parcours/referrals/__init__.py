"""Referrals from plan actions to services of other organisations, with consent gate and feedback."""
