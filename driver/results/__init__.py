"""The job folder and what the run keeps beside it: layout, records, rationales, history,
thumbnails, manifests. The pipeline writes through this package; the report and the inspector
read through it."""
