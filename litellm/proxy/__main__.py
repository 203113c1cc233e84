"""``python -m litellm.proxy``: the same as the ``litellm`` command."""

from litellm.proxy.cli import main

if __name__ == "__main__":
    main()
