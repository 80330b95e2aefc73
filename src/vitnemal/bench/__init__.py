"""The benchmarks, one module per area (``vitnemal bench AREA``): each ``run_benchmark`` returns a dict of figures.

Benchmarks are tools, not domain code: they may import the domain packages and the developer tools; nothing in the
domain imports them. Figures are printed, never asserted (tests check behaviour).
"""
