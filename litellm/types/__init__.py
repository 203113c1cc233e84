"""Public type modules, at the import paths LiteLLM documents."""
