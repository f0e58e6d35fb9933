"""Getting data in and out of the book: CSV imports with CRM presets (`csv_import`), export and
restore of the whole book (`export`, `restore`), and callbacks as a calendar (`ics`)."""
