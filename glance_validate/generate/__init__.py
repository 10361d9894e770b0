"""Generated payloads: synthesis, mutations, hypothesis strategies and the fuzz command."""
