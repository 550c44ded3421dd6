"""`python build.py [options]` is `tsedash build [options]`; nothing else lives here."""

import sys

from tsedash.cli import main

if __name__ == "__main__":
    main(["build", *sys.argv[1:]])
