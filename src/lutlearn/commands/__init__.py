"""Sub-commands of the ``lutlearn`` command line, one module each (see :mod:`lutlearn.cli`)."""
