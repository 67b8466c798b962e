"""The checks of a derivation: numeric (finite differences) and exact (SymPy), one module a job.

points.py draws sizes and props-honouring values; finite.py takes central differences;
claims.py says what a step's check form must equal; numeric.py is the numeric check
(``verify``, ``agree``); exact.py and sympy_interp.py, the only modules that import
SymPy, are the exact check. Import from the modules (importing this package imports
no SymPy).
"""
