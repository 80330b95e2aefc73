"""One institution's own records: what its student system holds (courses, results, degrees, consents)."""
