"""Privacy core: keyed tokens, PII detectors, redaction, masks, ID facts and the treatment of records
(``treatment``) against the registry, which itself lives in ``cc_warehouse.sources.registry``.

Import the submodules directly (``from cc_warehouse.privacy.tokens import tokenise``); nothing here does
I/O at import time.
"""
