"""Small shared pieces used everywhere, one of each: identifier normalising (``identifiers``),
keys, digests and signed tokens (``signing``)."""
