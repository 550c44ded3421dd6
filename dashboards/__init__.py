"""One module per dashboard, each composing panel factories from `panels`."""
