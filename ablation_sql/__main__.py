"""``python -m ablation_sql``: the CLI."""

from .cli import main

raise SystemExit(main())
