"""The newsletter: subscribe with double opt-in, preferences, one-click unsubscribe, digests."""
