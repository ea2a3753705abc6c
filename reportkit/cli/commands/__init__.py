"""The commands of ``reportkit``: one module each, registered on the group in :mod:`reportkit.cli`."""
