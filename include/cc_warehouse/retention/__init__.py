"""Retention (PIPL art. 19): how long restricted copies are kept, and the purge that enforces it."""
