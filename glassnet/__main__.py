"""``python -m glassnet``: the glassnet command."""

from .cli import main

if __name__ == "__main__":
    main()
