"""Declaring state: Var expressions, var descriptors and the computed-var cache."""
