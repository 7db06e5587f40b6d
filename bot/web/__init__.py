"""The hotline console: a web channel over the quote engine and the FAQ (`python -m bot web`)."""
