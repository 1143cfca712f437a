"""The coherence tests: every cache on against every cache off, on one database."""
