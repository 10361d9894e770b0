"""``glance-validate probe``: a read-only, bounded crawl of a live image API, every answer checked."""
