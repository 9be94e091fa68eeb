"""Pure-NumPy reference implementations of the skincore kernels."""
