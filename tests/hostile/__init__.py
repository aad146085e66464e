"""Hostile-spec harness (issue 12): mutate the shipped specs, run each mutant through the
checker, the generator and the generated package, and allow only two outcomes: located
errors, or output that compiles, imports and calls without anything but the SDK's errors.

``python -m tests.hostile.run --count N --seed S`` for a batch; ``test_hostile_property.py``
drives the same engine from hypothesis.
"""
