"""Attack: raise SystemExit(0) at import, hoping a clean exit status counts as success."""
raise SystemExit(0)
