"""Standard formats for results: ELMO (EMREX) for diploma sets (:mod:`vitnemal.interop.elmo`)."""
