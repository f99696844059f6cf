"""A feature slice made for the test that shows the seam: one package, one line in a list."""
