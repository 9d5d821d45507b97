"""The command line, ``python -m robustloss``: backends and devices here, and a self-check.

Modules, each importing only those below it:

- :mod:`.report`: the arguments, and the report as text or JSON;
- :mod:`.selfcheck`: the shipped reference cases run on each device;
- :mod:`.discovery`: which array libraries and devices are present;
- :mod:`.reference`: the shipped reference file, its tolerances and the losses it checks.
"""

from .report import main

__all__ = ["main"]
