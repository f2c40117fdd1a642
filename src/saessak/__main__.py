"""``python -m saessak``: the same as the ``saessak`` command."""

import sys

from .apps.cli import main

sys.exit(main())
