"""Vision LLMs over REST: config, prompt, wire formats, HTTP client, limits, cache, the judge."""
