"""ChimeKit calls as OpenTelemetry spans, printed to the console.

Needs ``pip install chimekit[otel] opentelemetry-sdk`` (the SDK is the application's choice;
chimekit depends on the API only). Reads ``CHIMEKIT_SECRET_KEY`` and ``CHIMEKIT_BASE_URL``
like the quick start; against the emulator::

    python -m chimekit_emulator --port 8787 &
    export CHIMEKIT_BASE_URL=http://127.0.0.1:8787/sdk/v1 CHIMEKIT_SECRET_KEY=sk_test_chimekit
    python examples/tracing.py
"""

from __future__ import annotations

import asyncio

# --8<-- [start:setup]
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

from chimekit_async import AsyncChimeKit, ChannelContent, InAppContent

# Once, at start-up: where spans go. Production would use BatchSpanProcessor and an OTLP
# exporter (opentelemetry-exporter-otlp) instead of the console.
provider = TracerProvider(resource=Resource.create({"service.name": "signup-service"}))
provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
trace.set_tracer_provider(provider)

tracer = trace.get_tracer("signup-service")


async def welcome(user_id: str) -> None:
    async with AsyncChimeKit() as ck:
        # Each call is a span (chimekit.audience.identify, chimekit.messages.send), a child
        # of the application's span, and its traceparent header goes to the API.
        with tracer.start_as_current_span("welcome-new-user"):
            await ck.audience.identify(user_id, display_name="Ava")
            await ck.messages.send(
                user_id, content=ChannelContent(in_app=InAppContent(title="Welcome!"))
            )


# --8<-- [end:setup]

if __name__ == "__main__":
    asyncio.run(welcome("user_123"))
