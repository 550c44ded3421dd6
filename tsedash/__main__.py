"""`python -m tsedash …` is the `tsedash` command."""

from tsedash.cli import main

if __name__ == "__main__":
    main()
