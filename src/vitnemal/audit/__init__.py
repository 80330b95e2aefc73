"""The receiver's audit log: every time personal data is shown to or ordered by a member of staff."""
