"""Donations: the appeal with its choices and a first-party counted redirect to the provider."""
