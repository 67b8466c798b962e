"""The command line: parsing, progress, watch, new, schema; the only room that prints."""
