import sys

from mobility.cli import main

sys.exit(main())
