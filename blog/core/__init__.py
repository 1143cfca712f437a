"""What every feature uses and that imports no feature (tests/test_layout.py)."""
