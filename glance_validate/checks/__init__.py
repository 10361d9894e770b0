"""Validation: the engines, rules, consistency, extensions, deviations and the policy."""
