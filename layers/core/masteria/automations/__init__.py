"""Automation rules: a trigger, conditions and ordered actions, run once per triggering event."""
