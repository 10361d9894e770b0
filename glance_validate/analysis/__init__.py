"""Analyses built on the checks: schema table, lint and diff, release compatibility."""
