"""Human ratings: the tables people's judgements are kept in (the inspector and the agreement
statistics build on them)."""
