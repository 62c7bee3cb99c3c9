"""``python -m sagenotes_anki``: the same command as the ``sagenotes-anki`` script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="sagenotes-anki")
