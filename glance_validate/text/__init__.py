"""JSON text: the exact parser, the fast path, positions of pointers, and payload kinds."""
