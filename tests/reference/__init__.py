"""Pure-NumPy/Python reference implementations of the skincore kernels."""
