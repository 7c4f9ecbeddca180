"""`make bench --only SECTION` rewrites one section of docs/benchmarks.md and keeps the rest."""

from bench.run import filtered_section, splice_section

LISTED = {"when": "2026-11-28 16:22 UTC", "tasks": 10_000, "pages": 10, "requests_per_page_max": 5,
          "requests_total": 50, "first_page_s": 1.84, "max_page_s": 2.46, "walk_s": 19.8}  # fmt: skip


def test_a_section_is_replaced_in_place_or_appended():
    report = "# Benchmarks\n\n## Load\n\nold load\n\n## Filtered list\n\nold numbers\n\n## Later\n\nkept\n"
    spliced = splice_section(report, filtered_section(LISTED))
    assert "old numbers" not in spliced and "| 10 | 5 | 50 | 1.84 | 2.46 | 19.8 |" in spliced
    assert spliced.index("## Load") < spliced.index("## Filtered list") < spliced.index("## Later")
    assert "old load" in spliced and "kept" in spliced
    appended = splice_section("# Benchmarks\n\n## Load\n\nold load\n", filtered_section(LISTED))
    assert appended.endswith(filtered_section(LISTED)[-2] + "\n") and "old load" in appended
