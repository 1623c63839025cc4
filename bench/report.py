"""The benchmark's results as a plain-text table for the terminal."""

from __future__ import annotations

from typing import Any


def _n(value: float | None, digits: int = 0) -> str:
    """A number for the table, ``-`` when there is none."""
    return "-" if value is None else f"{value:,.{digits}f}"


def _quartet(stats: dict[str, Any]) -> str:
    """``p50 / p95 / p99 / max``."""
    return " / ".join(_n(stats[key]) for key in ("p50", "p95", "p99", "max"))


def _backend(settings: dict[str, Any]) -> str:
    """Where the jobs ran, in words."""
    if settings.get("backend", "local") == "local":
        return "the engine's own pool"
    return "Celery worker started here, " + (
        "on the given Redis" if settings["broker_given"] else "own Redis"
    )


def _machine(results: dict[str, Any]) -> list[str]:
    m, s = results["machine"], results["settings"]
    versions = ", ".join(f"{name} {version}" for name, version in m["packages"].items() if version)
    return [
        f"Regression bot benchmark, {results['date']}, {results['duration_s']:.0f} s in all",
        f"{m['cpu']}: {m['usable_cores']} of {m['cores']} cores, {m['memory_gb']} GiB, load average "
        f"{m['load_average_1min']} at the start; Python {m['python']}",
        versions,
        f"{s['workers']} worker processes ({_backend(s)}), heartbeat every {s['heartbeat_interval_ms']} ms, emulator schema "
        f"check {'on' if s['emulator_schema_check'] else 'off'} (it runs on the bot's event loop)",
    ]


def _startup(results: dict[str, Any]) -> list[str]:
    s = results["startup"]
    return [
        "",
        f"Start-up (from bot.start): login {_n(s['to_login_s'], 2)} s, commands synced "
        f"{_n(s['to_commands_synced_s'], 2)} s, IDENTIFY/ready {_n(s['to_ready_s'], 2)} s; "
        f"then the first /fit took {_n(s['first_fit_answer_s'], 2)} s"
        + (
            f"; {s['drawn_ahead']} example pages drawn ahead by {_n(s['drawn_ahead_s'], 2)} s"
            if "drawn_ahead" in s
            else ""
        ),
    ]


def _pair(stats: dict[str, Any], keys: tuple[str, ...] = ("p50", "p95")) -> str:
    """``p50 / p95`` (or other ``keys``)."""
    return " / ".join(_n(stats[key]) for key in keys)


def _bursts(results: dict[str, Any]) -> list[str]:
    header = (
        f"{'mix':<9}{'n':>4}  {'first response p50/p95/max':>26}  {'first text p50/p95':>18}"
        f"  {'finished p50/p95/p99/max':>28}  {'ans/s':>6}  {'CPU s bot/workers':>17}  {'hb gap':>6}"
        f"  {'lost':>4}  errors"
    )
    lines = [
        "",
        "/fit bursts, the bot (ms from dispatch; first text = a page's title and text on screen, finished = its "
        "figure too;",
        "hb gap = largest heartbeat gap minus the interval, ms)",
        header,
        "-" * len(header),
    ]
    for b in results["bursts"]:
        cpu = f"{b['cpu_s']['bot_process']:.1f} / {b['cpu_s']['workers']:.1f}"
        first = _pair(b["first_response_ms"], ("p50", "p95", "max"))
        lines.append(
            f"{b['mix']:<9}{b['size']:>4}  {first:>26}  {_pair(b['first_text_ms']):>18}"
            f"  {_quartet(b['answer_ms']):>28}  {b['answers_per_s']:>6.2f}  {cpu:>17}"
            f"  {_n(b['max_gap_over_interval_ms']):>6}  {b['lost']:>4}  {b['errors']}"
        )
        lines += [f"{'':13}! {sample}" for sample in b["error_samples"]]
    return lines


def _times(ratio: float | None) -> str:
    """``0.31×``, ``-`` when there is no ratio."""
    return "-" if ratio is None else f"{ratio:.2f}×"


def _baseline(results: dict[str, Any]) -> list[str]:
    baseline = results.get("baseline")
    if baseline is None:
        return ["", "Baseline not run (--no-baseline)"]
    if "skipped" in baseline:
        return ["", f"Baseline skipped: {baseline['skipped']}"]
    warm = ", ".join(f"{mix} {_n(s, 2)} s" for mix, s in baseline["first_fit_answer_s"].items())
    ours_columns = (
        f"{'max 1st resp':>12}  {'1st text p95':>12}  {'finished p50/p95':>16}  {'hb gap':>6}  {'errors':>6}"
    )
    their_columns = f"{'max 1st resp':>12}  {'finished p50/p95':>16}  {'hb gap':>6}  {'errors':>6}"
    ratio_columns = f"{'finished p95':>12}  {'p50':>6}"
    header = f"{'mix':<9}{'n':>4}  {ours_columns}  |  {their_columns}  |  {ratio_columns}"
    lines = [
        "",
        "The bot beside a typical discord.py bot on the same bursts (baseline: statsmodels + seaborn/pyplot in "
        "asyncio.to_thread,",
        f"one message at the end; a fresh emulator per mix; its first /fit, paying for the imports: {warm}), ms",
        f"{'':15}{' the bot ':-^{len(ours_columns)}}     {' baseline ':-^{len(their_columns)}}"
        f"     {' ours / baseline ':-^{len(ratio_columns)}}",
        header,
        "-" * len(header),
    ]
    for ours, theirs in zip(results["bursts"], baseline["bursts"], strict=True):
        ratio = ours.get("vs_baseline", {})
        lines.append(
            f"{ours['mix']:<9}{ours['size']:>4}  {_n(ours['first_response_ms']['max']):>12}"
            f"  {_n(ours['first_text_ms']['p95']):>12}  {_pair(ours['answer_ms']):>16}"
            f"  {_n(ours['max_gap_over_interval_ms']):>6}  {ours['errors']:>6}"
            f"  |  {_n(theirs['first_response_ms']['max']):>12}  {_pair(theirs['answer_ms']):>16}"
            f"  {_n(theirs['max_gap_over_interval_ms']):>6}  {theirs['errors']:>6}"
            f"  |  {_times(ratio.get('answer_p95')):>12}  {_times(ratio.get('answer_p50')):>6}"
        )
        lines += [f"{'':13}! baseline: {sample}" for sample in theirs["error_samples"]]
    return lines


def _memory(results: dict[str, Any]) -> list[str]:
    mem = results["memory"]
    rows = [("bot process (+ emulator)", mem["bot"])]
    rows += [(f"worker {w['pid']}", w) for w in mem["workers"]]
    if mem["forkserver"] is not None:
        parent = "forkserver" if results["settings"].get("backend", "local") == "local" else "Celery main"
        rows.append((parent, mem["forkserver"]))
    lines = ["", "Memory (MiB)                  RSS now   peak (HWM)      PSS"]
    for name, m in rows:
        lines.append(f"{name:<28}{m['rss_mb']:>9.1f}{m['peak_mb']:>13.1f}{m['pss_mb']:>9.1f}")
    total = mem["workers_total"]
    lines.append(
        f"workers together: RSS {total['rss_mb']:.1f}, PSS {total['pss_mb']:.1f}, sampled peak "
        f"{total['sampled_peak_mb']:.1f}; bot sampled peak {mem['bot']['sampled_peak_mb']:.1f}; "
        f"the emulator keeps {mem['emulator_held_mb']:.1f}"
    )
    lines += _after_largest(results)
    soak = mem["soak"]
    lines += [
        "",
        f"Soak: {soak['commands']} mixed commands, 10 at a time: {soak['answers']} answers in "
        f"{soak['duration_s']:.1f} s ({soak['answers_per_s']:.2f}/s), answer ms {_quartet(soak['answer_ms'])}, "
        f"{soak['errors']} errors",
        f"  bot RSS {soak['bot_rss_before_mb']:.1f} -> {soak['bot_rss_after_mb']:.1f} "
        f"({soak['bot_growth_mb']:+.1f}; {soak['bot_growth_net_mb']:+.1f} net of the emulator's "
        f"{soak['emulator_held_growth_mb']:+.1f})",
        f"  workers RSS {soak['workers_rss_before_mb']:.1f} -> {soak['workers_rss_after_mb']:.1f} "
        f"({soak['workers_growth_mb']:+.1f})",
        f"  per 1000 answers: bot {soak['bot_growth_net_per_1000_answers_mb']:+.1f}, workers "
        f"{soak['workers_growth_per_1000_answers_mb']:+.1f}",
        f"  PSS: bot {soak['bot_pss_before_mb']:.1f} -> {soak['bot_pss_after_mb']:.1f} "
        f"({soak['bot_pss_growth_net_mb']:+.1f} net of the emulator), workers {soak['workers_pss_before_mb']:.1f} -> "
        f"{soak['workers_pss_after_mb']:.1f} ({soak['workers_pss_growth_mb']:+.1f})",
        "  grew past the first checkpoint (PSS per 1000 answers): " + _steady(soak),
        "  trend (commands: bot / workers RSS, PSS): "
        + ", ".join(
            f"{t['commands']}: {t['bot_rss_mb']:.0f}/{t['workers_rss_mb']:.0f}, "
            f"{t['bot_pss_mb']:.0f}/{t['workers_pss_mb']:.0f}"
            for t in soak["trend"]
        ),
    ]
    lines += [f"  ! {sample}" for sample in soak["error_samples"]]
    return lines


def _after_largest(results: dict[str, Any]) -> list[str]:
    """Memory after the largest distinct burst (distinct-100 by default), when it was measured."""
    measured = [b for b in results["bursts"] if b["mix"] == "distinct" and "memory_after_mb" in b]
    if not measured:
        return []
    b = max(measured, key=lambda b: b["size"])
    m = b["memory_after_mb"]
    return [
        f"after the distinct-{b['size']} burst: bot + workers PSS {m['bot_pss'] + m['workers_pss']:.1f} "
        f"(bot {m['bot_pss']:.1f}, workers {m['workers_pss']:.1f}); RSS bot {m['bot_rss']:.1f}, "
        f"workers {m['workers_rss']:.1f}"
    ]


def _steady(soak: dict[str, Any]) -> str:
    """The soak's PSS growth per 1000 answers after its first checkpoint, or why there is none."""
    growth = soak["steady_pss_growth_per_1000_answers_mb"]
    if growth is None:
        return "- (fewer than two checkpoints)"
    return f"bot {growth['bot_pss_net']:+.1f} (net of the emulator), workers {growth['workers_pss']:+.1f}"


def _flat(value: Any) -> str:
    """A number, text or (nested) dict of them on one line."""
    if isinstance(value, dict):
        return ", ".join(
            f"{key} ({_flat(inner)})" if isinstance(inner, dict) else f"{key} {_flat(inner)}"
            for key, inner in value.items()
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _n(value, 0 if isinstance(value, int) else 2)
    return str(value)


def _engine(results: dict[str, Any]) -> list[str]:
    e = results["engine"]
    notebook = e["notebook"]
    same = {"fit + walkthrough + first figure": "fit + figure"}
    lines = [
        "",
        f"Engine alone, in-process: {e['dataset']}, {e['formula']} (median / p90 ms over {e['runs']} runs)",
        f"{'':34}{'bot engine':>18}{'notebook way':>20}",
    ]
    for name, bot in e["bot"].items():
        other = notebook.get(same.get(name, name)) if "skipped" not in notebook else None
        label = f" ({same[name]})" if name in same and other else ""
        shown = f"{other['median_ms']:.1f} / {other['p90_ms']:.1f}{label}" if other else "-"
        lines.append(f"{name:<34}{bot['median_ms']:>9.1f} / {bot['p90_ms']:<7.1f}{shown:>19}")
    if "skipped" in notebook:
        lines.append(f"notebook way skipped: {notebook['skipped']}")
    png = e["scatter_lines_png_bytes"]
    lines.append("scatter + lines PNG bytes: " + ", ".join(f"{who} {size:,}" for who, size in png.items()))
    if "render_vs_notebook" in e:
        lines.append(f"render vs notebook: {_flat(e['render_vs_notebook'])}")
    return lines


def _fair_use(results: dict[str, Any]) -> list[str]:
    f, d = results["fair_use"], results["instructor_demo"]
    return [
        "",
        f"Fair use ({f['rounds_each']} rounds each way): {f['others']} users' /fit alone, answer p95 "
        f"{_n(f['others_alone_answer_ms']['p95'])} ms; while one more user sends {f['flood']} at once, p95 "
        f"{_n(f['others_with_flood_answer_ms']['p95'])} ms (x{_n(f['p95_ratio'], 2)}), {f['others_errors']} errors; "
        f"each flooder got {_n(f['flooder_answers'], 1)} answers and was told to wait "
        f"{_n(f['flooder_told_to_wait'], 1)} times",
        f"Instructor demo: {d['commands']} commands and {d['presses']} page turns by one user, one after another, "
        f"in {_n(d['duration_s'], 1)} s: {d['refused']} refused",
    ]


def _uploads(results: dict[str, Any]) -> list[str]:
    c, s = results["uploads"]["check"], results["uploads"]["startup"]
    lines = [
        "",
        f"Uploads: checking a {c['csv_bytes'] / 1e6:.1f} MB CSV ({c['rows']:,} rows × {c['columns']} columns) "
        f"takes {_n(c['check']['median_ms'])} ms (p90 {_n(c['check']['p90_ms'])}), writing its typed form "
        f"{_n(c['encode']['median_ms'])} ms; a worker reads it back in {_n(c['worker_read']['median_ms'], 1)} ms, "
        f"the bot its schema in {_n(c['bot_read_schema']['median_ms'], 1)} ms",
        f"  stored: the CSV {c['csv_bytes'] / 1e6:.2f} MB, typed columns {c['typed_bytes'] / 1e6:.2f} MB, "
        f"schema {c['schema_bytes'] / 1e3:.1f} kB",
        f"{'Bot start, ' + str(s['uploads']) + ' uploads of ' + str(s['megabytes_each']) + ' MB:':<54}"
        f"{'ready s':>8}{'RSS MiB':>10}{'PSS MiB':>10}",
    ]
    labels = {
        "none": "no uploads",
        "stored": "uploads stored",
        "stored_as_csv_first_start": "stored as CSV only, first start (types them)",
        "stored_as_csv_next_start": "stored as CSV only, next start",
    }
    for key, label in labels.items():
        r = s[key]
        listed = f"   ({r['uploads_listed']} listed by /datasets)" if key != "none" else ""
        lines.append(f"  {label:<52}{r['ready_s']:>8.2f}{r['rss_mb']:>10.1f}{r['pss_mb']:>10.1f}{listed}")
    return lines


def table(results: dict[str, Any]) -> str:
    """Every section of ``results`` as aligned text."""
    return "\n".join(
        _machine(results)
        + _startup(results)
        + _bursts(results)
        + _baseline(results)
        + _fair_use(results)
        + _memory(results)
        + _engine(results)
        + _uploads(results)
    )
