"""Where payloads come from: discovery, bounded reads, JSON Lines and HTTP captures."""
