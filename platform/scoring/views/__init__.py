"""Staff pages of the scoring app. Thin: resolve the course with the right grant, call one
service or selector, render."""
