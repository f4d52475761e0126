"""The ICAT registry API: the records of the Inter-Agency Coordination Group against
Trafficking in Persons, kept by the rules of its Terms of Reference (ToR)."""

__version__ = "0.1.0"
