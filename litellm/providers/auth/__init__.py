"""Shared request authorisers for native providers (``RequestAuth`` implementations).

Each module here turns credentials into the headers one request needs: AWS SigV4 signing
(:mod:`.aws`), IBM Cloud IAM bearer tokens (:mod:`.ibm`), and the Google helper's token exchange.
Tokens and assumed-role credentials are cached until shortly before they expire, so a refresh happens
at most once per expiry, never on every request.

Must not: be imported by ``import litellm`` (adapters import these on first use), log or raise a secret,
or read the environment except through ``litellm.providers.environment.env_value``.
"""
