"""Audience: counting reader views without tracking readers, and the charts made of them."""
