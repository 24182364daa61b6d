"""``python -m ablation_sql.synthetic OUT [options]``: write one synthetic experiment."""

from .command import main

raise SystemExit(main())
