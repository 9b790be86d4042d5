"""Entry point: `python -m local_pipeline` (what `make demo` runs)."""

import sys

from local_pipeline.cli import main

sys.exit(main())
