import sys

from intake.cli import main

sys.exit(main())
