"""Where the schema comes from and what it says: documents, builtins, releases, remote, dialect."""
