"""A real upstream Glance (33.0.0) on 127.0.0.1 for the test suite.

``build`` makes a virtual environment of its own for Glance, cached outside the checkout;
``config`` writes its configuration into a temporary directory; ``serve`` and ``identity`` run
inside that environment; ``server`` starts and stops the process; ``client`` talks to it with the
standard library; ``populate`` creates images through Glance's own API; ``fixture`` is the
session-scoped pytest fixture; ``capture`` saves responses. Nothing here imports glance_validate:
the tests drive its command line.
"""
