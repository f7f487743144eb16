"""Formatters: turn results into text, JSON, HTML or CSV. They return strings; only the CLI prints."""
