"""Hostile servers: small, independent HTTP servers that misbehave in legal ways.

Our emulator shares the SDK's assumptions, so a promise held only against it proves little.
Each test here stands up its own server (raw sockets or ``http.server``), unrelated to the
emulator, that drips bytes, omits or nulls fields, ignores offsets, shrinks or grows lists,
or sends oversized headers, and checks the exact outcome in both flavours.
"""
