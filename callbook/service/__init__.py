"""The use cases the app and the command line share (no Textual here)."""
