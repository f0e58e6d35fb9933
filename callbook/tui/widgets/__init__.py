"""The calling screen's widgets: they show what the app gives them and post what the caller does."""
