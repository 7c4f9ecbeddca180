"""The learned first wait needs every sample: results that land together must not drop each other's."""

import threading

import boto3

from contenthub import dal
from contenthub.dal.counters import SHARDS


def test_concurrent_samples_are_all_kept(stack):
    times = dal.GenerationTimes(stack["CountersTable"], keep=5)  # all five on one shard: they race for it
    threads = [threading.Thread(target=times.record, args=("bench-kind", 10.0 + i), kwargs={"shard": 0})
               for i in range(5)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(times.recent("bench-kind")) == [10.0, 11.0, 12.0, 13.0, 14.0]


def test_samples_spread_over_shards_so_no_item_takes_every_result(stack):
    """One item per creator kind took every result's write (a hot item at scale): now each result
    writes one of SHARDS items, and the read merges them, shortest first."""
    times = dal.GenerationTimes(stack["CountersTable"])
    for i in range(40):
        times.record("spread-kind", 100.0 + i)
    table = boto3.resource("dynamodb").Table(stack["CountersTable"])
    items = [table.get_item(Key={"name": f"gen:recent:spread-kind#{shard}"}).get("Item") for shard in range(SHARDS)]
    written = [item for item in items if item]
    assert len(written) >= 8  # 40 random picks among 10 shards: fewer than 8 distinct is ~1 in 10,000
    assert all(len(item["samples"]) <= times.keep for item in written)
    recent = times.recent("spread-kind")
    assert recent == sorted(recent) and len(recent) == sum(len(item["samples"]) for item in written)
    assert set(recent) <= {100.0 + i for i in range(40)} and max(recent) == 139.0  # the latest is always kept
