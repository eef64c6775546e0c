"""Counting round trips to Redis in a test (issue 14: each costs more than the work it carries)."""

from __future__ import annotations


def count_round_trips(monkeypatch) -> list[str]:  # noqa: ANN001 - pytest's fixture
    """Every round trip to Redis: a command sent alone, or a pipeline (sent as one: redis-py's,
    or ``FailSoftRedisCache._exchange``)."""
    import redis.client

    from servicehall.cache import FailSoftRedisCache

    trips: list[str] = []
    command, pipeline = redis.client.Redis.execute_command, redis.client.Pipeline.execute

    def one_command(self, *args, **options):
        if isinstance(self, redis.client.Pipeline):  # queued in a pipeline: sent with it
            return command(self, *args, **options)
        trips.append(str(args[0]))
        return command(self, *args, **options)

    def whole_pipeline(self, *args, **options):
        trips.append("pipeline: " + " ".join(str(c[0][0]) for c in self.command_stack))
        return pipeline(self, *args, **options)

    exchange = FailSoftRedisCache._exchange

    def exchanged(self, commands):
        trips.append("pipeline: " + " ".join(str(c[0]) for c in commands))
        return exchange(self, commands)

    monkeypatch.setattr(FailSoftRedisCache, "_exchange", exchanged)
    monkeypatch.setattr(redis.client.Redis, "execute_command", one_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", whole_pipeline)
    return trips
