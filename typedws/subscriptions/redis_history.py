"""The history in Redis: one Redis Stream per model, shared by every server and writer process.

Per model two keys, in one hash slot: ``<prefix>:typedws:{<label>}:pos``, a hash holding the
``epoch`` and the last ``seq``, and ``<prefix>:typedws:{<label>}:log``, the Redis Stream of
batches (``prefix``: the channel layer's). A batch is
appended by one Lua script, atomically: it takes the next seqs (one per event), and the
entry's id is ``<last seq>-0``, so the stream's order is the seq order, whichever process
wrote. ``XADD ... MAXLEN ~ HISTORY_SIZE`` caps the length; both keys expire ``HISTORY_TTL``
seconds after the last append. A batch appended ``once`` leaves a third key,
``<prefix>:typedws:{<label>}:once:<id>``, holding ``<epoch>:<first seq>`` for ``HISTORY_TTL``
seconds: appending the same id again in that epoch returns that position and stores nothing.
When the position key is gone (a flush, a restart without
persistence, an eviction, the expiry) the next append or read starts a new epoch at seq 0.
Ending an epoch is one script too (``restart``, which a feed calls when writers may have left
writes out of it: :mod:`.feeds`): if the position still names that epoch, it empties the stream
and starts a new epoch at seq 0; otherwise it does nothing, so of several processes ending the
same epoch, one does it.

The stream is also how live events travel (:mod:`.feeds`): each entry names its epoch (field
``e``), and a process reads the entries after the last it saw with ``XREAD BLOCK``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Final
from weakref import WeakKeyDictionary

import redis.asyncio as aioredis

from typedws.settings import typedws_settings

from .history import TAIL_COUNT, Appended, Stored, covering, new_epoch

__all__ = ["RedisHistory"]

# KEYS: position, log. ARGV: a new epoch, the TTL. Returns {epoch, seq}.
_POSITION: Final = """
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return {epoch, redis.call('HGET', KEYS[1], 'seq')}
"""

# KEYS: position, log, the id's once key. ARGV: a new epoch, TTL, max length, count, id, using,
# body, time, "1" to append once. Returns {epoch, first seq, 1 if appended before}.
_APPEND: Final = """
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
if ARGV[9] == '1' then
  local seen = redis.call('GET', KEYS[3])
  if seen then
    local at = string.find(seen, ':', 1, true)
    if string.sub(seen, 1, at - 1) == epoch then
      return {epoch, tonumber(string.sub(seen, at + 1)), 1}
    end
  end
end
local count = tonumber(ARGV[4])
local last = redis.call('HINCRBY', KEYS[1], 'seq', count)
local first = last - count + 1
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], last .. '-0',
  'first', first, 'count', count, 'id', ARGV[5], 'using', ARGV[6], 'body', ARGV[7], 't', ARGV[8],
  'e', epoch)
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
if ARGV[9] == '1' then
  redis.call('SET', KEYS[3], epoch .. ':' .. first, 'EX', ARGV[2])
end
return {epoch, first, 0}
"""

# KEYS: position, log. ARGV: the epoch to end, a new epoch, the TTL. Returns 1 if it restarted.
_RESTART: Final = """
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'seq', 0)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class RedisHistory:
    """The history store on the Redis at ``url``."""

    def __init__(self, url: str, prefix: str = "asgi") -> None:
        self.url = url
        self.prefix = prefix
        self._clients: WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = WeakKeyDictionary()

    def _client(self) -> Any:
        # A redis.asyncio client belongs to the event loop it was first used on.
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = aioredis.Redis.from_url(self.url)
            self._clients[loop] = client
        return client

    async def close(self) -> None:
        """Close this event loop's connections (a loop that ends leaves them open otherwise)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    def _keys(self, label: str) -> list[str]:
        base = f"{self.prefix}:typedws:{{{label}}}"
        return [f"{base}:pos", f"{base}:log"]

    async def append(self, label: str, stored: Stored, once: bool = False) -> Appended:
        keys = [*self._keys(label), f"{self.prefix}:typedws:{{{label}}}:once:{stored.id}"]
        args = [
            new_epoch(),
            typedws_settings.HISTORY_TTL,
            typedws_settings.HISTORY_SIZE,
            stored.count,
            stored.id,
            stored.using,
            stored.body,
            repr(time.time()),
            "1" if once else "0",
        ]
        epoch, first, seen = await self._client().eval(_APPEND, 3, *keys, *args)
        return Appended(epoch.decode(), int(first), bool(seen))

    async def head(self, label: str) -> tuple[str, int]:
        ttl = typedws_settings.HISTORY_TTL
        epoch, seq = await self._client().eval(_POSITION, 2, *self._keys(label), new_epoch(), ttl)
        return epoch.decode(), int(seq)

    async def read(self, label: str, epoch: str, after: int) -> list[Stored] | str:
        current, head = await self.head(label)
        if current != epoch or after >= head:
            return covering(current, head, [], epoch, after)
        entries = await self._client().xrange(self._keys(label)[1], min=f"{after + 1}-0")
        oldest = time.time() - typedws_settings.HISTORY_TTL
        kept = [_stored(fields) for _, fields in entries if float(fields[b"t"]) >= oldest]
        # A flush between the two calls shows as entries from a new epoch's start: re-check.
        again, _ = await self.head(label)
        return covering(again, head, kept, epoch, after)

    async def tail(self, label: str, after: int, block: float) -> list[tuple[str | None, Stored]]:
        """The batches appended after seq ``after``, each with its epoch (``None`` for an entry
        written before entries named it), waiting up to ``block`` seconds for the first."""
        log = self._keys(label)[1]
        try:
            found = await self._client().xread(
                {log: f"{after}-0"}, count=TAIL_COUNT, block=max(int(block * 1000), 1)
            )
        except aioredis.TimeoutError:
            return []  # a socket timeout shorter than the block: nothing came
        entries = found[0][1] if found else []
        return [(_epoch(fields), _stored(fields)) for _, fields in entries]

    async def restart(self, label: str, epoch: str) -> None:
        ttl = typedws_settings.HISTORY_TTL
        await self._client().eval(_RESTART, 2, *self._keys(label), epoch, new_epoch(), ttl)


def _epoch(fields: dict[bytes, bytes]) -> str | None:
    epoch = fields.get(b"e")
    return None if epoch is None else epoch.decode()


def _stored(fields: dict[bytes, bytes]) -> Stored:
    return Stored(
        first=int(fields[b"first"]),
        id=fields[b"id"].decode(),
        using=fields[b"using"].decode(),
        body=fields[b"body"].decode(),
        count=int(fields[b"count"]),
    )
