"""People's ratings and how each judge agrees with them: the ratings tables, the evidence of a
run (judges' records, tournaments, ratings) and the figures. Read by the report, written and
read by the inspector."""
