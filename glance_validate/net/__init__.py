"""HTTP for schemas and crawls: fetching, the cache and Keystone; imported only when used."""
