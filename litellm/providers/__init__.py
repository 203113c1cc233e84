"""Provider adapters: one module per native wire format, one table for OpenAI-compatible providers.

``registry`` routes a model to its adapter (imported on first use), ``params`` filters OpenAI params per
provider, ``environment`` reads provider credentials from the environment. This package root imports
nothing: import the module that owns a name.
"""
