"""stepgrad against its peers: ``python -m benchmarks [--quick] [--only TASK]`` (``make bench``).

Each task runs stepgrad and its peers side by side in one process, prints the ratios
(stepgrad's time ÷ the peer's time, lower is better) and a Markdown table, and writes the
table to ``benchmarks/results/<task>.md``; a full run also writes them into docs/researcher/benchmarks.md
between the BENCH markers. Goals are judged on what users call (``fit``, ``fit_ensemble``,
``stepgrad train --steps``); other stepgrad rows are informational. Everything runs in float64.
``make bench-quick`` checks every task with small sizes; ``make bench-web`` runs the web
benchmarks (``benchmarks.web_updates``, ``benchmarks.web_soak``).
"""
