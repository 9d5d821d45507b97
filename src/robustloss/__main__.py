"""``python -m robustloss``: backends, devices and a self-check; see :mod:`robustloss._cli`."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
