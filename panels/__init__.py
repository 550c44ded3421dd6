"""Pure panel factories, grouped by domain; every call returns a fresh builder."""
