"""The bottom layer: nbstate's exceptions, where code runs, and the kernel-wide registry."""
