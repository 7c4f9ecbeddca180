"""The learned first wait needs every sample: results that land together must not drop each other's."""

import threading

from contenthub import dal


def test_concurrent_samples_are_all_kept(stack):
    times = dal.GenerationTimes(stack["CountersTable"])
    threads = [threading.Thread(target=times.record, args=("bench-kind", 10.0 + i)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(times.recent("bench-kind")) == [10.0, 11.0, 12.0, 13.0, 14.0]
