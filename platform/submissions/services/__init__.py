"""Writes for submissions, one module per concern: drafts, policy, submit, grading, quiz answers."""
