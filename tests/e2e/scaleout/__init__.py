"""The demo, plus owner-scoped notes: the project the scale-out tests serve from two processes."""
