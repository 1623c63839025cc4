"""The bot under load: the real ``RegressionBot`` against the loopback Discord emulator, in this process.

Every time comes from one clock, the emulator's (``time.monotonic()``; the benchmark never moves its
offset): ``dispatched_at`` of an interaction, ``received_at`` of each request the bot made, ``at`` of each
heartbeat. The emulator shares the process (and the event loop) with the bot, so the bot process's memory
includes the emulator's: after each burst or wave, once its numbers are taken, the emulator forgets the
requests and messages it recorded (the PNG uploads are most of them), and what it must keep (interaction
payloads, the gateway log for RESUME) is measured and reported beside the bot's growth.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import proc
from bench.commands import (
    LECTURE_DATASET,
    LECTURE_FORMULA,
    Command,
    FormulaPool,
    fit_command,
    lecture_variants,
    soak_commands,
)
from bench.stats import latency
from bot.app import RegressionBot
from bot.config import Config, DiscordConfig, StorageConfig, WorkerConfig
from bot.regression.datasets import DatasetRegistry
from tests.emulator.emulator import DEFAULT_USERS, DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.interactions import EmulatedInteraction
from tests.emulator.models import RecordedRequest, User, UserSpec
from tests.emulator.openapi import SPEC_PATH

STUDENTS = 200  # commands take turns among them, like a class (each user has at most a few jobs at once)
SOAK_WAVE = 10  # soak commands in flight at once
SOAK_CHECKPOINTS = 5  # memory readings during the soak
ERROR_SAMPLES = 5
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class LiveOptions:
    """What to run against the bot."""

    bursts: tuple[int, ...]
    soak: int
    workers: int
    heartbeat_ms: int
    schema_check: bool = True
    fair_others: int = 29
    fair_flood: int = 60
    demo_commands: int = 25
    demo_presses: int = 40


@dataclass(frozen=True)
class Outcome:
    """One interaction, measured: seconds from dispatch to the first response and to the full answer."""

    first_response: float | None
    answer: float | None
    answered_at: float | None
    error: str | None


def make_bot(emu: DiscordEmulator, database: Path, processes: int) -> RegressionBot:
    """The production bot class, configured as in production except that it talks to ``emu``."""
    config = Config(
        discord=DiscordConfig(token=emu.token, api_base_url=emu.api_base_url, dev_guild_id=emu.guild.id),
        workers=WorkerConfig(processes=processes),
        storage=StorageConfig(database=str(database)),
    )
    return RegressionBot(config)


def _token_of(request: RecordedRequest) -> str | None:
    """The interaction token in a callback or webhook path, if there is one."""
    parts = request.path.strip("/").split("/")
    if len(parts) >= 4 and parts[0] == "interactions" and parts[3] == "callback":
        return parts[2]
    if len(parts) >= 3 and parts[0] == "webhooks":
        return parts[2]
    return None


def _by_token(emu: DiscordEmulator) -> dict[str, list[RecordedRequest]]:
    """The recorded interaction requests, grouped by token, in the order received."""
    grouped: dict[str, list[RecordedRequest]] = defaultdict(list)
    for request in emu.requests:
        token = _token_of(request)
        if token is not None:
            grouped[token].append(request)
    return grouped


def _ok(request: RecordedRequest) -> bool:
    return request.status is not None and 200 <= request.status < 300


async def _follow(interaction: EmulatedInteraction, deadline: float, timeout: float) -> str | None:
    """Wait for the first response, then the whole answer; what went wrong, or None."""
    try:
        await interaction.wait_response(deadline + 2)
    except TimeoutError:
        return f"no first response within {deadline + 2:.0f} s"
    try:
        await interaction.wait_done(timeout)
    except TimeoutError:
        return f"not answered within {timeout:.0f} s"
    return None


def _outcome(
    interaction: EmulatedInteraction, requests: list[RecordedRequest], problem: str | None, image: bool
) -> Outcome:
    """Times and errors of one interaction from what the emulator recorded."""
    callbacks = [r for r in requests if r.path.endswith("/callback")]
    first = callbacks[0].received_at - interaction.dispatched_at if callbacks else None
    if callbacks and not _ok(callbacks[0]):
        problem = problem or f"first response refused with {callbacks[0].status}"
    webhooks = [r for r in requests if r.path.startswith("/webhooks/") and _ok(r)]
    answered_at = max(r.received_at for r in webhooks) if webhooks else None
    message = interaction.original if interaction.response_type is not None else None
    if problem is None:
        if message is None or message.deleted or not message.embeds:
            said = [m.content for m in interaction.followups if m.content]
            problem = f"answered with the message {said[-1][:100]!r}" if said else "answered without an embed"
        elif image and not message.attachments:
            problem = "answered without an image"
    answer = answered_at - interaction.dispatched_at if answered_at is not None and problem is None else None
    return Outcome(first, answer, answered_at if answer is not None else None, problem)


def _forget(emu: DiscordEmulator) -> None:
    """Drop the emulator's records of finished interactions (requests with their uploads, messages)."""
    emu.requests.clear()
    emu.messages.messages.clear()
    emu.messages.attachments.clear()


def _emulator_held_mb(emu: DiscordEmulator) -> float:
    """What the emulator keeps per interaction for good: payloads, responses, the gateway's RESUME log."""
    roots: list[Any] = [i.payload for i in emu.interactions.values()]
    roots += [i.callbacks for i in emu.interactions.values()]
    roots += [s.log for s in emu.gateway.sessions.values()]
    return round(proc.deep_size(roots) / 2**20, 1)


async def _run(
    emu: DiscordEmulator, commands: Sequence[Command], users: Iterator[User], image: bool
) -> tuple[list[Outcome], list[str], float]:
    """Dispatch ``commands`` at once, each from the next user, and wait for every answer.

    Returns the outcomes, the emulator's new violations and the time of the first dispatch.
    """
    violations = len(emu.violations)
    timeout = 60.0 + 2.0 * len(commands)
    start = emu.now()
    interactions = await asyncio.gather(
        *(emu.slash(name, options, user=next(users)) for name, options in commands)
    )
    problems = await asyncio.gather(*(_follow(i, emu.interaction_deadline, timeout) for i in interactions))
    grouped = _by_token(emu)
    outcomes = [
        _outcome(i, grouped.get(i.token, []), problem, image)
        for i, problem in zip(interactions, problems, strict=True)
    ]
    _forget(emu)
    return outcomes, [str(v)[:200] for v in emu.violations[violations:]], start


async def _heartbeat_gap(emu: DiscordEmulator, start: float, end: float, interval_ms: int) -> dict[str, Any]:
    """The largest gap between heartbeats around ``[start, end]`` minus the interval, and the beats counted."""
    with contextlib.suppress(TimeoutError):  # a missing heartbeat shows as a long gap below
        await emu.wait_until(
            lambda: any(h.at > end for h in emu.heartbeats), 3 * interval_ms / 1000 + 1, "a heartbeat"
        )
    beats = [h.at for h in emu.heartbeats] or [start]
    if beats[-1] <= end:
        beats.append(emu.now())  # the heartbeat that never came counts as a gap until now
    gaps = [b - a for a, b in itertools.pairwise(beats) if b >= start and a <= end]
    largest = max(gaps, default=0.0) * 1000
    return {
        "max_gap_over_interval_ms": round(largest - interval_ms, 1) if gaps else None,
        "heartbeats": sum(start <= b <= end for b in beats),
    }


def _errors(outcomes: Sequence[Outcome], violations: Sequence[str]) -> dict[str, Any]:
    """How many interactions failed (plus emulator violations), and the commonest kinds with their counts."""
    problems = [o.error for o in outcomes if o.error] + [f"violation: {v}" for v in violations]
    kinds = Counter(re.sub(r"\d+", "#", problem) for problem in problems)
    return {
        "errors": len(problems),
        "error_samples": [f"{count} x {kind}" for kind, count in kinds.most_common(ERROR_SAMPLES)],
    }


def _cpu(bot: RegressionBot) -> tuple[float, float]:
    """CPU seconds used so far by the bot process and by its current workers together."""
    return proc.cpu_seconds(os.getpid()), sum(proc.cpu_seconds(pid) for pid in bot.engine.worker_pids())


async def burst(
    emu: DiscordEmulator,
    bot: RegressionBot,
    users: Iterator[User],
    mix: str,
    commands: Sequence[Command],
    interval_ms: int,
) -> dict[str, Any]:
    """One burst of ``/fit`` at once: latencies, throughput, heartbeats, CPU time used, errors."""
    bot_before, workers_before = _cpu(bot)
    outcomes, violations, start = await _run(emu, commands, users, image=True)
    bot_after, workers_after = _cpu(bot)
    done = [o.answered_at for o in outcomes if o.answered_at is not None]
    end = max(done, default=emu.now())
    return {
        "mix": mix,
        "size": len(commands),
        "first_response_ms": latency(
            [o.first_response * 1000 for o in outcomes if o.first_response is not None]
        ),
        "answer_ms": latency([o.answer * 1000 for o in outcomes if o.answer is not None]),
        "duration_s": round(end - start, 2),
        "answers_per_s": round(len(done) / (end - start), 2) if done else 0.0,
        "cpu_s": {
            "bot_process": round(bot_after - bot_before, 2),
            "workers": round(workers_after - workers_before, 2),
        },
        **await _heartbeat_gap(emu, start, end, interval_ms),
        **_errors(outcomes, violations),
    }


def _rss(bot: RegressionBot) -> tuple[float, float]:
    """RSS now (MiB) of the bot process and of all its workers together, after a garbage collection."""
    gc.collect()
    workers = sum(proc.read(pid).rss_mb for pid in bot.engine.worker_pids())
    return proc.read(os.getpid()).rss_mb, round(workers, 1)


async def soak(
    emu: DiscordEmulator, bot: RegressionBot, users: Iterator[User], commands: Sequence[Command]
) -> dict[str, Any]:
    """Many mixed commands, ``SOAK_WAVE`` at a time: throughput, errors and how memory grows."""
    bot_before, workers_before = _rss(bot)
    held_before = _emulator_held_mb(emu)
    outcomes: list[Outcome] = []
    violations: list[str] = []
    trend: list[dict[str, float | int]] = []
    every = max(SOAK_WAVE, len(commands) // SOAK_CHECKPOINTS)
    checkpoint = every
    started = time.monotonic()
    for first in range(0, len(commands), SOAK_WAVE):
        wave, new, _ = await _run(emu, commands[first : first + SOAK_WAVE], users, image=False)
        outcomes += wave
        violations += new
        if len(outcomes) >= checkpoint or len(outcomes) == len(commands):
            bot_rss, workers_rss = _rss(bot)
            trend.append({"commands": len(outcomes), "bot_rss_mb": bot_rss, "workers_rss_mb": workers_rss})
            checkpoint += every
    duration = time.monotonic() - started
    bot_after, workers_after = _rss(bot)
    held_growth = round(_emulator_held_mb(emu) - held_before, 1)
    answers = sum(o.error is None for o in outcomes)
    per_thousand = 1000 / answers if answers else 0.0
    return {
        "commands": len(commands),
        "answers": answers,
        "duration_s": round(duration, 1),
        "answers_per_s": round(answers / duration, 2) if duration else 0.0,
        "answer_ms": latency([o.answer * 1000 for o in outcomes if o.answer is not None]),
        **_errors(outcomes, violations),
        "bot_rss_before_mb": bot_before,
        "bot_rss_after_mb": bot_after,
        "bot_growth_mb": round(bot_after - bot_before, 1),
        "emulator_held_growth_mb": held_growth,
        "bot_growth_net_mb": round(bot_after - bot_before - held_growth, 1),
        "workers_rss_before_mb": workers_before,
        "workers_rss_after_mb": workers_after,
        "workers_growth_mb": round(workers_after - workers_before, 1),
        "bot_growth_net_per_1000_answers_mb": round((bot_after - bot_before - held_growth) * per_thousand, 1),
        "workers_growth_per_1000_answers_mb": round((workers_after - workers_before) * per_thousand, 1),
        "trend": trend,
    }


REFUSED = ("You already have", "The bot is busy")


def _said(interaction: EmulatedInteraction) -> str:
    """What an answered interaction says: its embed title, or its (private) message text."""
    message = interaction.original
    if message is not None and not message.deleted and message.embeds:
        return str(message.embeds[0].get("title", ""))
    texts = [m.content for m in interaction.followups if m.content]
    return texts[-1] if texts else (message.content if message is not None else "")


async def fair_use(
    emu: DiscordEmulator, bot: RegressionBot, pool: FormulaPool, others: int, flood: int
) -> dict[str, Any]:
    """``others`` users each send one distinct /fit, first alone, then while one user sends ``flood``
    distinct ones at the same moment: how much the flood slows the others (p95 ratio), and what the
    flooder is told."""
    students = [u for u in emu.users if u.username.startswith("student")]
    flooder, crowd = students[0], students[1 : others + 1]
    alone, _, _ = await _run(emu, pool.fits(others), iter(crowd), image=True)
    await asyncio.sleep(1)
    mixed = [*pool.fits(others), *pool.fits(flood)]
    senders = iter([*crowd, *[flooder] * flood])
    start = emu.now()
    interactions = await asyncio.gather(
        *(emu.slash(name, options, user=next(senders)) for name, options in mixed)
    )
    await asyncio.gather(*(i.wait_done(60.0 + 2 * len(mixed)) for i in interactions))
    grouped = _by_token(emu)
    together = [_outcome(i, grouped.get(i.token, []), None, True) for i in interactions[:others]]
    told = Counter(_said(i).split(":")[0] for i in interactions[others:])
    _forget(emu)
    base = latency([o.answer * 1000 for o in alone if o.answer is not None])
    with_flood = latency([o.answer * 1000 for o in together if o.answer is not None])
    return {
        "others": others,
        "flood": flood,
        "others_alone_answer_ms": base,
        "others_with_flood_answer_ms": with_flood,
        "p95_ratio": round(with_flood["p95"] / base["p95"], 2) if base["p95"] and with_flood["p95"] else None,
        "others_errors": sum(o.error is not None for o in together),
        "flooder_answers": sum(v for k, v in told.items() if not k.startswith(REFUSED)),
        "flooder_told_to_wait": sum(v for k, v in told.items() if k.startswith(REFUSED)),
        "flooder_samples": [k for k, _ in told.most_common(3)],
        "duration_s": round(emu.now() - start, 2),
    }


async def instructor_demo(
    emu: DiscordEmulator, pool: FormulaPool, commands: int, presses: int
) -> dict[str, Any]:
    """One instructor runs the lecture in front of a class: ``commands`` commands (fits, predictions,
    comparisons, explanations, a typo or two) and ``presses`` page turns, each as soon as the last was
    answered; how many were refused (never, with the default settings)."""
    instructor = emu.user("instructor")
    script: list[Command] = []
    kinds = itertools.cycle(["fit", "predict", "compare", "explain", "fit", "typo"])
    fits = iter(pool.fits(commands))
    for _ in range(commands):
        kind = next(kinds)
        if kind == "predict":
            script.append(
                (
                    "predict",
                    {
                        "dataset": LECTURE_DATASET,
                        "formula": LECTURE_FORMULA,
                        "values": "completed=35 lesson=Lesson A",
                    },
                )
            )
        elif kind == "compare":
            script.append(
                (
                    "compare",
                    {"dataset": LECTURE_DATASET, "formula": "score ~ completed", "other": LECTURE_FORMULA},
                )
            )
        elif kind == "explain":
            script.append(("explain", {"topic": "slope"}))
        elif kind == "typo":
            script.append(("fit", {"dataset": LECTURE_DATASET, "formula": "score ~ lesons + completed"}))
        else:
            script.append(next(fits))
    refused, answered, pages = 0, 0, 0
    start = emu.now()
    walkthroughs = []
    for name, options in script:
        interaction = await emu.slash(name, options, user=instructor)
        await interaction.wait_done(120)
        said = _said(interaction)
        refused += said.startswith(REFUSED)
        answered += not said.startswith(REFUSED)
        if name == "fit" and interaction.original is not None and interaction.original.components:
            walkthroughs.append(interaction.original.id)
    for index in range(presses):
        if not walkthroughs:
            break
        message = emu.messages.get(walkthroughs[index % len(walkthroughs)])
        nexts = [c for c in message.custom_ids() if c.endswith(":n")]
        if not nexts or message.component(nexts[0]).get("disabled"):
            walkthroughs.remove(message.id)
            continue
        press = await emu.press(message, nexts[0], user=instructor)
        await press.wait_done(120)
        pages += 1
        said = _said(press)
        refused += said.startswith(REFUSED)
    _forget(emu)
    return {
        "commands": len(script),
        "presses": pages,
        "answered_commands": answered,
        "refused": refused,
        "duration_s": round(emu.now() - start, 1),
    }


def _startup(emu: DiscordEmulator, started: float, ready: float) -> dict[str, float | None]:
    """Seconds from ``bot.start`` to login, to the command sync and to IDENTIFY (the emulator's READY).

    ``measure`` adds the answer time of the first ``/fit`` after that (the lecture's command, which the
    workers' warm-up has fitted), which pays for whatever the bot loads on first use.
    """
    login = next((r.received_at for r in emu.requests if r.path == "/users/@me"), None)
    synced = next(
        (r.received_at for r in emu.requests if r.method == "PUT" and r.path.endswith("/commands")), None
    )
    return {
        "to_login_s": round(login - started, 3) if login is not None else None,
        "to_commands_synced_s": round(synced - started, 3) if synced is not None else None,
        "to_ready_s": round(ready - started, 3),
    }


def _memory(bot: RegressionBot, sampler: proc.Sampler) -> dict[str, Any]:
    """Final and peak memory of the bot process, each worker and the forkserver that forks them."""
    workers = [proc.read(pid) for pid in bot.engine.worker_pids()]
    parents = {proc.parent_pid(w.pid) for w in workers} - {os.getpid(), None}
    forkserver = proc.read(parents.pop()) if len(parents) == 1 else None
    return {
        "bot": proc.read(os.getpid()).as_dict() | {"sampled_peak_mb": sampler.bot_peak_mb},
        "workers": [w.as_dict() for w in workers],
        "workers_total": {
            "rss_mb": round(sum(w.rss_mb for w in workers), 1),
            "pss_mb": round(sum(w.pss_mb for w in workers), 1),
            "sampled_peak_mb": round(sampler.workers_peak_mb, 1),
            "processes_seen": len(sampler.seen_workers),
        },
        "forkserver": forkserver.as_dict() if forkserver is not None else None,
    }


async def measure(options: LiveOptions) -> dict[str, Any]:
    """Start the bot against a fresh emulator and run the bursts and the soak."""
    registry = DatasetRegistry.bundled()
    variants = lecture_variants()
    reserved = frozenset([LECTURE_FORMULA, *itertools.islice(lecture_variants(), 1000)])
    pool = FormulaPool(registry, reserved=reserved)  # warm() fitted the lecture's formula in every worker
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        students = [UserSpec(f"student{i:03}", f"Student {i}") for i in range(STUDENTS)]
        async with running_emulator(
            heartbeat_interval_ms=options.heartbeat_ms,
            users=(*DEFAULT_USERS, *students),
            spec_path=SPEC_PATH if options.schema_check else None,
        ) as emu:
            bot = make_bot(emu, Path(folder) / "bot.sqlite3", options.workers)
            users = itertools.cycle(emu.users)
            started = emu.now()
            async with run_bot(bot, emu, timeout=START_TIMEOUT):
                startup = _startup(emu, started, emu.now())
                _forget(emu)
                lecture = fit_command(LECTURE_DATASET, LECTURE_FORMULA)
                first, _, _ = await _run(emu, [lecture], users, image=True)
                startup["first_fit_answer_s"] = (
                    round(first[0].answer, 3) if first[0].answer is not None else None
                )
                sampler = proc.Sampler(bot.engine.worker_pids)
                sampler.start()
                bursts = []
                for size in options.bursts:
                    for mix, commands in (
                        ("distinct", pool.fits(size)),
                        ("same", [fit_command(LECTURE_DATASET, next(variants))] * size),
                    ):
                        await asyncio.sleep(2 * options.heartbeat_ms / 1000)  # settle between bursts
                        bursts.append(await burst(emu, bot, users, mix, commands, options.heartbeat_ms))
                fairness = await fair_use(emu, bot, pool, options.fair_others, options.fair_flood)
                demo = await instructor_demo(emu, pool, options.demo_commands, options.demo_presses)
                soaked = await soak(emu, bot, users, soak_commands(options.soak, pool))
                await sampler.stop()
                used = _memory(bot, sampler) | {
                    "soak": soaked,
                    "emulator_held_mb": _emulator_held_mb(emu),
                }
                jobs_run = bot.engine.jobs_run
    return {
        "startup": startup,
        "bursts": bursts,
        "fair_use": fairness,
        "instructor_demo": demo,
        "memory": used,
        "engine_jobs_run": jobs_run,
        "same_mix_formula": f"{LECTURE_DATASET}: variants of {LECTURE_FORMULA}",
    }
