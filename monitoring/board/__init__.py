"""The governance board's monthly report: HTML and PDF from the month's monitoring results."""
