"""Budgets and rate limits: which budgets apply to a request (:mod:`.scopes`), the atomic reservation
counters in Redis or the database (:mod:`.counters`), rpm/tpm/parallel limiters (:mod:`.limits`),
admission and settlement (:mod:`.admission`) and the lease-held reset job with soft-budget alerts
(:mod:`.resets`)."""
