"""The ``stepgrad`` command line: thin commands over the library."""
