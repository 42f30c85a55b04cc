"""A bench-only app: memos scoped by owner, for the fan-out benchmark's per-user configuration."""
