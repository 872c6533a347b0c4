"""The local demonstration around the warehouse: the synthetic data generator (``datagen``), the offline
platform stand-in (``simulator``), the embedded environment (``localenv``) and ``make demo`` (``demo``).

Nothing in ``cc_warehouse`` imports this package, so a deployment image need not carry it.
"""
