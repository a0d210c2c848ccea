"""Interop with PyTorch (``stepgrad.interop.torch``) and scikit-learn (``stepgrad.interop.sklearn``).

Nothing is imported here: each submodule imports its library when it is used.
"""
