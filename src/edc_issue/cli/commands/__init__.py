"""One module per ``edc-issue`` sub-command; each exposes ``command``."""
