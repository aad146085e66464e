"""Change reports: what changed for SDK users between two versions of the specs.

``sources`` reads a version (a folder or a git revision) into IR, ``compare`` diffs two
versions aspect by aspect into classified ``changes``, ``render`` prints them as text or
Markdown, and ``changelog`` keeps ``generated/CHANGELOG.md`` in step with generation.
"""
