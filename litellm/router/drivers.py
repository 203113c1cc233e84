"""Run a router request's flow (:mod:`litellm.router.flow`) synchronously or on an event loop.

A flow is a generator that yields only the operations whose sync and async forms differ: ``CALL`` (a
pipeline function and its kwargs), ``PEEK`` (a stream's first chunk), ``SLEEP``, ``STATE`` (a remote state-store
method; its async twin is the ``a``-prefixed name) and ``HOOK`` (CustomLogger coroutines). The drivers
execute them and send the result (or throw the exception) back into the generator. An interruption
(cancellation, KeyboardInterrupt) closes the generator so that it releases what it holds.

Must not decide anything about routing.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Generator
from typing import Any

from litellm.router.hooks import run_async_hooks, run_hooks_sync
from litellm.router.streams import END

__all__ = ["CALL", "HOOK", "PEEK", "SLEEP", "STATE", "Flow", "drive_async", "drive_sync"]

CALL, PEEK, SLEEP, STATE, HOOK = range(5)
Flow = Generator[tuple[Any, ...], Any, Any]


def drive_sync(router: Any, gen: Flow) -> Any:
    value: Any = None
    error: BaseException | None = None
    state = router.state
    while True:
        try:
            op = gen.throw(error) if error is not None else gen.send(value)
        except StopIteration as stop:
            return stop.value
        error = None
        kind = op[0]
        try:
            if kind == CALL:
                value = op[1](**op[2])
            elif kind == PEEK:
                value = next(op[1], END)
            elif kind == SLEEP:
                time.sleep(op[1])
                value = None
            elif kind == STATE:
                value = getattr(state, op[1])(*op[2], **(op[3] if len(op) > 3 else {}))
            else:  # HOOK: async hooks run on sync calls only for the fallback events, fire-and-forget
                if op[2] in ("log_success_fallback_event", "log_failure_fallback_event"):
                    run_hooks_sync(op[1], op[2], *op[3], **op[4])
                    value = []
                elif op[2] == "async_get_available_deployment":
                    value = [op[1][0].get_available_deployment(**op[4])]
                else:
                    value = []
        except Exception as exc:
            error = exc
        except BaseException:  # interrupted: let the generator release what it holds, then propagate
            gen.close()
            raise


async def drive_async(router: Any, gen: Flow) -> Any:
    value: Any = None
    error: BaseException | None = None
    state = router.state
    while True:
        try:
            op = gen.throw(error) if error is not None else gen.send(value)
        except StopIteration as stop:
            return stop.value
        error = None
        kind = op[0]
        try:
            if kind == CALL:
                value = op[1](**op[2])
                if inspect.isawaitable(value):
                    value = await value
            elif kind == PEEK:
                stream = op[1]
                if hasattr(stream, "__anext__"):
                    try:
                        value = await stream.__anext__()
                    except StopAsyncIteration:
                        value = END
                else:
                    value = next(stream, END)
            elif kind == SLEEP:
                await asyncio.sleep(op[1])
                value = None
            elif kind == STATE:
                value = await getattr(state, "a" + op[1])(*op[2], **(op[3] if len(op) > 3 else {}))
            else:
                value = await run_async_hooks(op[1], op[2], *op[3], **op[4])
        except Exception as exc:
            error = exc
        except BaseException:  # cancelled: let the generator release what it holds, then propagate
            gen.close()
            raise
