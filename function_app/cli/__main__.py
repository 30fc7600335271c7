"""``python -m function_app.cli``: the `casework` command, as the installed script runs it."""

import sys

from function_app.cli import main

sys.exit(main())
