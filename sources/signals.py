"""What sources tells the apps above it about results that leave no history row."""

from django.dispatch import Signal

# Sent inside a check's transaction once the verdicts on its source's excerpts are written (one bulk
# insert of `CitationCheck` rows and one bulk update of the citations, so no post_save is sent).
# `checks`: the new rows, each with `previous_status`, its citation's verdict before this check.
citation_checks_recorded = Signal()
