"""Entry point: `python -m capture_task detect SOURCE --out events.jsonl`."""

import sys

from capture_task.cli import main

sys.exit(main())
