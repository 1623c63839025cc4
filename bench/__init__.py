"""The project's benchmark, run by hand with ``python -m bench`` (see ``bench.cli``).

It runs the real bot against the loopback Discord emulator (bursts of ``/fit``, a memory soak, start-up),
the teaching engine alone next to the lecture notebook's way, and instructors' uploads (checking a CSV,
the bot's start-up and memory with many stored: ``bench.uploads``), and reports numbers without judging them.
"""
