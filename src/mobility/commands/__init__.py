"""Sub-commands of the ``mobility`` command line, one module each.

Every module here defines ``register(subparsers)``, which adds its parser and sets
``func`` (called with the parsed arguments; returns the exit code). :mod:`mobility.cli`
discovers the modules, so adding a command means adding a module, nothing else.
"""
