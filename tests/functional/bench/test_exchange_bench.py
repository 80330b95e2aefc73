"""The exchange benchmark runs end to end on a tiny federation and reports every figure the issue asks for."""

from __future__ import annotations

from vitnemal.bench.exchange import ExchangeBenchConfig, run_benchmark


def test_bench_reports_its_figures_from_real_orders() -> None:
    figures = run_benchmark(ExchangeBenchConfig(nodes=3, latency="5-20", orders=3, throughput_orders=4, concurrency=2,
                                                import_results=30, node_processes=1))
    for key in ("order_p50_ms", "order_p95_ms", "slowest_node_ms", "sequential_ms", "orders_per_s",
                "import_refetch_results_per_s", "node_cpu_ms_per_answer", "requester_cpu_ms_per_order"):
        assert figures[key] > 0, key
    assert figures["imported_per_order"] == 3  # every node's answer was imported, not just timed
