"""The domain: catalog, needs, hardware, cost and the recommender (no I/O beyond the cards)."""
