"""The offline judge: deterministic appearance measures, no network, no LLM stack."""
