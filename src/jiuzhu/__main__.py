import sys

from jiuzhu.cli import main

sys.exit(main())
