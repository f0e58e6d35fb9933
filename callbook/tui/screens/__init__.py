"""The app's screens: the calling screen, the prospect detail and the small dialogs."""
