"""``python -m ablation_sql.synthetic OUT [options]``: write one synthetic experiment."""

from .generate import main

raise SystemExit(main())
