"""The benchmark: ``python bench/run.py --db sqlite|postgres`` (see bench/run.py)."""
