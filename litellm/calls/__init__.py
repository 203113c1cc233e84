"""Call orchestration: from a public function's arguments to a typed response and one logging event.

The pipeline (argument split, resolution, credentials, the one send path with retries and error mapping),
the stream wrapper, the per-call context, cost for the event and the payload builder. It stands on
:mod:`litellm.core` (types, exceptions, transport), :mod:`litellm.providers`, :mod:`litellm.cost` and hands
events to :mod:`litellm.dispatch`. Router, caching and the proxy sit above it.
"""
