"""Caching that never changes output: memoised pure render steps and the no-op check.

Only the standard library is imported here, so ``python -m generator`` can tell
that nothing changed without loading the heavy generation stages.
"""
