"""`make bench`: the ingest handler from the built asset beside small baselines, in one run.

The generated ingest handler is imported from the built Lambda asset; the baselines
(`baselines/`) are what a team writes first.

Figures: init + first invoke (median and max of N fresh processes) with the asset's bytecode,
without it (read-only, not writable) and with a warm bytecode cache; peak RSS; warm p50/p99 per
signed delivery; the zipped asset's size; `cdk synth` time; a test suite's time when given.
Every handler does the same work (verify the `Upstash-Signature`, hand the job to SQS on a
local moto server, answer 202). Prints a markdown table with ratios to the naive baseline and
writes JSON. Targets are read from the figures, never asserted.

Modules: `folders` (what is imported, built as a deploy builds it), `runs` (fresh processes,
interleaved), `probe` (the script each process runs), `report` (ratios, table, JSON).
Run it with `make bench` (options:
`uv run python -m {{ cookiecutter.package_name }}_devkit.bench --help`).
"""
