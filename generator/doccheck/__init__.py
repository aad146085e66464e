"""``python -m generator doc-check``: what a vendor doc says that a spec does not.

The doc is read for the facts this package can recognise (JSON examples, curl commands,
endpoint lines, model id lists, aspect-ratio lists, size tables, request field tables);
each is compared with the spec's IR, and every disagreement is a finding located in both
files. A spec silences a finding it departs from on purpose with ``doc_departures``.
Imports go one way: ``doc_*`` modules read the doc, ``compare`` and ``examples`` read
the spec, ``cli`` prints.
"""
