"""Pure-NumPy references of the skincore kernels."""
