"""Disclosure control for the leadership role: the suppressed publication and its audit.

Pure library (polars, numpy, scipy, highspy): `definitions` says what leadership reads and
how its figures relate; `publication.leadership_tables` builds the tables with one
suppression pattern over all of them (`pattern`); `audit.attack` is the attacker's check of
a publication, written apart from the suppression so that it shares none of its reasoning.
Both solve their linear programs through `lp` (HiGHS), which holds no reasoning of either.
"""
