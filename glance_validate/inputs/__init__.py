"""Where payloads come from: discovery, bounded reads, readers by format (JSON Lines, curl -i, HAR)."""
