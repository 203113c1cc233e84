"""Virtual keys: generation (``sk-`` secrets shown once, stored as SHA-256), records, and the lookup used on
every request (memory with a short TTL, then Redis, then the database) -- :mod:`.store`.

Durations and the LiteLLM field names of a key live in :mod:`.records`. Must not: keep or log a secret.
"""
