"""Event delivery: the dispatcher that hands each call's one logging event to every callback.

Sits above providers, cost, exporters and integrations (it resolves callback names through the
integrations registry on first use) and below the call orchestration in :mod:`litellm.calls`. It never
sends a provider request and never imports :mod:`litellm.calls`: a call context reaches it as an object
with the documented fields and ``build_payload``.
"""
