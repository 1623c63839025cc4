"""The project's benchmark, run by hand with ``python -m bench`` (see ``bench.cli``).

It runs the real bot against the loopback Discord emulator (bursts of ``/fit``, a memory soak, start-up)
and the teaching engine alone next to the lecture notebook's way, and reports numbers without judging them.
"""
