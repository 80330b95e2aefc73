"""Staff (case workers) of an institution and their API tokens."""
