"""Quick capture: the one-line grammar (grammar.py) and what a line will record (preview.py)."""
