"""Run every benchmark and print the figures docs/benchmarks.md quotes (the fleet run takes a few minutes)."""

from __future__ import annotations

import bench_fixture_startup
import bench_fleet
import bench_model_day
import bench_scenario_day
import bench_startup
import bench_throughput
import bench_v1r

if __name__ == "__main__":
    bench_model_day.main()
    bench_startup.main([])
    bench_fixture_startup.main()
    bench_scenario_day.main()
    bench_throughput.main([])
    bench_v1r.main([])
    bench_fleet.main([])
