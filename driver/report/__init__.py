"""The run report: report.json, scores.csv, repeats.csv and a self-contained index.html."""
