"""EMREX: the portal as an EMREX 1 data provider (EMP/NCP) for registered clients (recruitment platforms and
foreign universities)."""
