"""``python -m rex_cli.cli``: the same as the ``rex`` command."""

from rex_cli.cli.main import app

app()
