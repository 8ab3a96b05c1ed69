"""Benchmarks: runnable scripts (`python -m bench.<name>` from the repo root); see bench/README.md."""
