"""Admission rounds: Samordna opptak and local admission fetch the results of every consenting applicant."""
