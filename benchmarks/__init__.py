"""stepgrad against its peers: ``python -m benchmarks [--quick] [--only TASK]`` (``make bench``).

Each task runs stepgrad and its peers side by side in one process, prints the ratios
(stepgrad's time ÷ the peer's time, lower is better) and a Markdown table, and writes the
table to ``benchmarks/results/<task>.md``.
"""
