"""Judging renders against reference photos: rubrics, prompts, REST providers, aggregation."""
