"""Fast paths under DRF's own API: what typedws knows about a binding at startup, used per frame.

- :mod:`.fieldsets`: a serializer's fields built once per class, copied per instance;
- :mod:`.represent`: a compiled ``to_representation`` for the fields whose output is known;
- :mod:`.queries`: the SQL of a static ``retrieve`` compiled once per binding and database;
- :mod:`.instances`: the objects of fetched rows, as ``Model.from_db`` makes them, minus its
  signals where nobody listens;
- :mod:`.rows`: a ``list`` page kept as its rows until something reads it; :mod:`.tuples`:
  such a page rendered from the rows, without objects;
- :mod:`.stats`: how often each fast path fell back to DRF or Django, and why.

Each fast path is chosen per class (or per queryset) when it is first used and falls back to
DRF's or Django's own code whenever it cannot prove it gives the same result.
"""
