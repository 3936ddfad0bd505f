"""What every judge shares: rubrics, answers, aggregation, results, errors, image loading."""
