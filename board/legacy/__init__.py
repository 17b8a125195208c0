"""Moving in from XpressEngine, Rhymix and Gnuboard5: the importers, the keys of the old site's
ids and what they became here (``keys.LegacyKey``), and the old addresses that lead to them."""
