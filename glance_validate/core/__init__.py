"""Values every stage shares: findings, the rule catalogue, errors, exit codes, JSON facts."""
