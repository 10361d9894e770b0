"""Consistency rules (C family) and the quick check that spares clean pages from running them.

- ``rule``: what an image rule is made of (and why some have no Draft 4 fragment).
- ``image_rules``, ``extension_rule``: the rules for one image record; ``formats`` holds the value
  formats they read, ``facts`` what they know of the schema in use (and C017, which needs it).
- ``quickcheck``: the quick check assembled from the rules' fragments, compiled with jsonschema-rs.
- ``lists``: the rules for list pages and runs, and the entry points for pages and single images.
"""
