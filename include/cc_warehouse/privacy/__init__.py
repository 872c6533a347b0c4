"""Privacy core: keyed tokens, PII detectors, redaction, masks, ID facts and the PII registry.

Import the submodules directly (``from cc_warehouse.privacy.tokens import tokenise``); nothing here does
I/O at import time.
"""
