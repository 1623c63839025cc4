"""The bot under load: the real ``RegressionBot`` against the loopback Discord emulator, in this process.

Every time comes from one clock, the emulator's (``time.monotonic()``; the benchmark never moves its
offset): ``dispatched_at`` of an interaction, ``received_at`` of each request the bot made, ``at`` of each
heartbeat. The emulator shares the process (and the event loop) with the bot, so the bot process's memory
includes the emulator's: after each burst or wave, once its numbers are taken, the emulator forgets the
requests and messages it recorded (the PNG uploads are most of them), and what it must keep (interaction
payloads, the gateway log for RESUME) is measured and reported beside the bot's growth.

Each answer is timed twice: ``first_text`` when its page's text is first on screen (the first request
carrying an embed with a title) and ``answer`` when it is finished (the request that uploaded the figure
the message finally shows; ``drawing.png`` is a placeholder, never a finished figure). A bot that sends
one message at the end shows both at once.

The same bursts then go to ``BaselineBot`` (a typical discord.py bot; see ``bench.baseline``), one fresh
emulator for each mix, after the real bot has stopped, so the bot's memory readings never include it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import itertools
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import proc, servers
from bench.baseline import BaselineBot
from bench.commands import (
    CLASS_DATASET,
    CLASS_FORMULAS,
    LECTURE_DATASET,
    LECTURE_FORMULA,
    Command,
    FormulaPool,
    class_commands,
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
from tests.emulator.models import RecordedRequest, StoredMessage, User, UserSpec
from tests.emulator.openapi import SPEC_PATH

STUDENTS = 200  # commands take turns among them, like a class (each user has at most a few jobs at once)
SOAK_WAVE = 10  # soak commands in flight at once
SOAK_CHECKPOINTS = 5  # memory readings during the soak
ERROR_SAMPLES = 5
START_TIMEOUT = 120.0
PLACEHOLDER = "drawing.png"  # shown where a page's figure will go until the figure is drawn
BASELINE_MISSING = "seaborn is not installed (pip install -e '.[bench]'), so the baseline bot was not run"


@dataclass(frozen=True)
class LiveOptions:
    """What to run against the bot."""

    bursts: tuple[int, ...]
    soak: int
    workers: int
    heartbeat_ms: int
    schema_check: bool = True
    class_size: int = 30
    fair_others: int = 29
    fair_flood: int = 60
    fair_rounds: int = 8
    demo_commands: int = 25
    demo_presses: int = 40
    backend: str = "local"
    broker: str = ""


@dataclass(frozen=True)
class Burst:
    """``/fit`` commands sent at once, from distinct users: the same for the bot and the baseline."""

    mix: str
    commands: tuple[Command, ...]


@dataclass(frozen=True)
class Outcome:
    """One interaction, measured: seconds from dispatch to the first response, to the first text on
    screen and to the finished answer; what went wrong, and whether it was lost (never answered)."""

    first_response: float | None
    first_text: float | None
    answer: float | None
    answered_at: float | None
    error: str | None
    lost: bool = False


def make_bot(emu: DiscordEmulator, database: Path, workers: WorkerConfig) -> RegressionBot:
    """The production bot class, configured as in production except that it talks to ``emu``."""
    config = Config(
        discord=DiscordConfig(token=emu.token, api_base_url=emu.api_base_url, dev_guild_id=emu.guild.id),
        workers=workers,
        storage=StorageConfig(database=str(database)),
    )
    return RegressionBot(config)


@contextlib.contextmanager
def backend(
    options: LiveOptions, folder: Path, database: Path
) -> Iterator[tuple[WorkerConfig, Workers | None]]:
    """The bot's ``[workers]``, and the pids of workers started here (None: the engine's own pool).

    With ``--backend celery`` a ``python -m bot worker`` of ``options.workers`` children is started here on
    the store ``database``, through a Redis server of our own in ``folder`` unless ``--broker`` names one.
    """
    if options.backend == "local":
        yield WorkerConfig(processes=options.workers), None
        return
    with contextlib.ExitStack() as stack:
        broker = options.broker or stack.enter_context(servers.redis_server(folder))
        config = servers.worker_config(folder / "worker.toml", broker, database)
        log = folder / "worker.log"
        worker = stack.enter_context(servers.celery_worker(config, broker, options.workers, log))
        workers = WorkerConfig(backend="celery", broker=broker, processes=options.workers)
        yield workers, lambda: proc.children(worker.pid)


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


def _message_body(request: RecordedRequest) -> dict[str, Any]:
    """The message a callback or webhook request sends (a callback's ``data``), empty if none."""
    body = request.json if isinstance(request.json, dict) else {}
    if request.path.endswith("/callback"):
        data = body.get("data")
        return data if isinstance(data, dict) else {}
    return body


def _titled(request: RecordedRequest) -> bool:
    """Whether the request carries at least one embed with a title (a page's text)."""
    embeds = _message_body(request).get("embeds") or []
    return any(isinstance(embed, dict) and embed.get("title") for embed in embeds)


def _uploaded(request: RecordedRequest) -> set[str]:
    """Filenames of the files the request uploads (the payload's ``attachments`` filename wins, as on
    Discord)."""
    described = _message_body(request).get("attachments") or []
    metadata = {str(a.get("id")): a for a in described if isinstance(a, dict)}
    names = set()
    for position, upload in enumerate(request.files):
        index = upload.field.removeprefix("files[").removesuffix("]")
        meta = metadata.get(index if index.isdigit() else str(position), {})
        names.add(meta.get("filename") or upload.filename)
    return names


def _shown(interaction: EmulatedInteraction) -> list[StoredMessage]:
    """The interaction's messages that are still there: its original (once responded) and follow-ups."""
    original = interaction.original if interaction.response_type is not None else None
    return [m for m in (original, *interaction.followups) if m is not None and not m.deleted]


def _drawing(interaction: EmulatedInteraction) -> bool:
    """Whether a request on the interaction's token is in flight or one of its messages shows the
    placeholder (its figure is still being drawn)."""
    if interaction.emu.in_flight(interaction.token):
        return True
    return any(a.filename == PLACEHOLDER for m in _shown(interaction) for a in m.attachments)


async def _finished(interaction: EmulatedInteraction, timeout: float) -> None:
    """Wait until the interaction is answered (TimeoutError if not within ``timeout``), then until its
    figure replaced the placeholder (a figure that never arrives is counted by ``_outcome``)."""
    await interaction.wait_done(timeout)
    with contextlib.suppress(TimeoutError):
        await interaction.emu.wait_until(lambda: not _drawing(interaction), timeout, "the figure")


async def _follow(interaction: EmulatedInteraction, deadline: float, timeout: float) -> str | None:
    """Wait for the first response, then the whole answer with its figure; what went wrong, or None."""
    try:
        await interaction.wait_response(deadline + 2)
    except TimeoutError:
        return f"no first response within {deadline + 2:.0f} s"
    try:
        await _finished(interaction, timeout)
    except TimeoutError:
        return f"not answered within {timeout:.0f} s"
    return None


def _outcome(
    interaction: EmulatedInteraction, requests: list[RecordedRequest], problem: str | None, image: bool
) -> Outcome:
    """Times and errors of one interaction from what the emulator recorded.

    First text: the first accepted request with a titled embed. Finished: the first accepted request that
    uploaded a figure the messages finally show (not the placeholder), or without a figure the last
    accepted request answering the interaction.
    """
    lost = problem is not None
    callbacks = [r for r in requests if r.path.endswith("/callback")]
    first = callbacks[0].received_at - interaction.dispatched_at if callbacks else None
    if callbacks and not _ok(callbacks[0]):
        problem = problem or f"first response refused with {callbacks[0].status}"
    message = interaction.original if interaction.response_type is not None else None
    shown = _shown(interaction)
    names = {a.filename for m in shown for a in m.attachments}
    figures = names - {PLACEHOLDER}
    if problem is None:
        if message is None or message.deleted or not message.embeds:
            said = [m.content for m in shown if m.content]
            problem = f"answered with the message {said[-1][:100]!r}" if said else "answered without an embed"
        elif PLACEHOLDER in names:
            problem = "figure never arrived"
        elif image and not figures:
            problem = "answered without an image"
    if problem is not None:
        return Outcome(first, None, None, None, problem, lost)
    accepted = [
        r for r in requests if _ok(r) and (r.path.startswith("/webhooks/") or r.path.endswith("/callback"))
    ]
    drawn = next((r for r in accepted if figures & _uploaded(r)), None)
    finished = drawn.received_at if drawn is not None else max(r.received_at for r in accepted)
    text = next((r.received_at for r in accepted if _titled(r)), None)
    since = interaction.dispatched_at
    return Outcome(first, None if text is None else text - since, finished - since, finished, None)


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
    """How many interactions failed (plus emulator violations) and were lost (never answered), and the
    commonest kinds of failure with their counts."""
    problems = [o.error for o in outcomes if o.error] + [f"violation: {v}" for v in violations]
    kinds = Counter(re.sub(r"\d+", "#", problem) for problem in problems)
    return {
        "errors": len(problems),
        "lost": sum(o.lost for o in outcomes),
        "error_samples": [f"{count} x {kind}" for kind, count in kinds.most_common(ERROR_SAMPLES)],
    }


Workers = Callable[[], list[int]]
"""The pids of the bot's worker processes now (none for the baseline, which uses threads)."""


def _cpu(workers: Workers) -> tuple[float, float]:
    """CPU seconds used so far by the bot process and by its current workers together."""
    return proc.cpu_seconds(os.getpid()), sum(proc.cpu_seconds(pid) for pid in workers())


def _ms(values: Sequence[float | None]) -> dict[str, float | int | None]:
    """Latency stats (ms) of the measured ``values`` (seconds)."""
    return latency([value * 1000 for value in values if value is not None])


async def burst(
    emu: DiscordEmulator,
    users: Iterator[User],
    planned: Burst,
    interval_ms: int,
    workers: Workers,
    memory: bool = True,
) -> dict[str, Any]:
    """One burst of ``/fit`` at once: latencies, throughput, heartbeats, CPU time used, errors, and (with
    ``memory``) the memory of the bot process and its workers afterwards."""
    bot_before, workers_before = _cpu(workers)
    outcomes, violations, start = await _run(emu, planned.commands, users, image=True)
    bot_after, workers_after = _cpu(workers)
    done = [o.answered_at for o in outcomes if o.answered_at is not None]
    end = max(done, default=emu.now())
    after = {"memory_after_mb": _memory_now(workers)} if memory else {}
    return {
        "mix": planned.mix,
        "size": len(planned.commands),
        "first_response_ms": _ms([o.first_response for o in outcomes]),
        "first_text_ms": _ms([o.first_text for o in outcomes]),
        "answer_ms": _ms([o.answer for o in outcomes]),
        "duration_s": round(end - start, 2),
        "answers_per_s": round(len(done) / (end - start), 2) if done else 0.0,
        "cpu_s": {
            "bot_process": round(bot_after - bot_before, 2),
            "workers": round(workers_after - workers_before, 2),
        },
        **await _heartbeat_gap(emu, start, end, interval_ms),
        **_errors(outcomes, violations),
        **after,
    }


def _memory_now(workers: Workers) -> dict[str, float]:
    """RSS and PSS now (MiB) of the bot process and of all its workers together, after a garbage collection."""
    gc.collect()
    bot = proc.read(os.getpid())
    pool = [proc.read(pid) for pid in workers()]
    return {
        "bot_rss": bot.rss_mb,
        "bot_pss": bot.pss_mb,
        "workers_rss": round(sum(w.rss_mb for w in pool), 1),
        "workers_pss": round(sum(w.pss_mb for w in pool), 1),
    }


def _checkpoint(
    emu: DiscordEmulator, workers: Workers, commands: int, answers: int
) -> dict[str, float | int]:
    """Memory now during the soak, with how many commands were sent and answered so far."""
    now = _memory_now(workers)
    return {
        "commands": commands,
        "answers": answers,
        "bot_rss_mb": now["bot_rss"],
        "workers_rss_mb": now["workers_rss"],
        "bot_pss_mb": now["bot_pss"],
        "workers_pss_mb": now["workers_pss"],
        "emulator_held_mb": _emulator_held_mb(emu),
    }


def _steady_growth(trend: Sequence[dict[str, float | int]]) -> dict[str, float] | None:
    """PSS growth per 1000 answers from the first checkpoint to the last (past the first caches filling),
    the bot's net of what the emulator kept; None with fewer than two checkpoints."""
    if len(trend) < 2:
        return None
    first, last = trend[0], trend[-1]
    answers = last["answers"] - first["answers"]
    if answers <= 0:
        return None
    held = last["emulator_held_mb"] - first["emulator_held_mb"]
    scale = 1000 / answers
    return {
        "bot_pss_net": round((last["bot_pss_mb"] - first["bot_pss_mb"] - held) * scale, 1),
        "workers_pss": round((last["workers_pss_mb"] - first["workers_pss_mb"]) * scale, 1),
    }


async def soak(
    emu: DiscordEmulator, workers: Workers, users: Iterator[User], commands: Sequence[Command]
) -> dict[str, Any]:
    """Many mixed commands, ``SOAK_WAVE`` at a time: throughput, errors and how memory (RSS and PSS) grows."""
    before = _memory_now(workers)
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
            answered = sum(o.error is None for o in outcomes)
            trend.append(_checkpoint(emu, workers, len(outcomes), answered))
            checkpoint += every
    duration = time.monotonic() - started
    after = _memory_now(workers)
    held_growth = round(_emulator_held_mb(emu) - held_before, 1)
    answers = sum(o.error is None for o in outcomes)
    per_thousand = 1000 / answers if answers else 0.0

    def grew(key: str, net: float = 0.0) -> float:
        return round(after[key] - before[key] - net, 1)

    return {
        "commands": len(commands),
        "answers": answers,
        "duration_s": round(duration, 1),
        "answers_per_s": round(answers / duration, 2) if duration else 0.0,
        "answer_ms": _ms([o.answer for o in outcomes]),
        **_errors(outcomes, violations),
        "bot_rss_before_mb": before["bot_rss"],
        "bot_rss_after_mb": after["bot_rss"],
        "bot_growth_mb": grew("bot_rss"),
        "emulator_held_growth_mb": held_growth,
        "bot_growth_net_mb": grew("bot_rss", held_growth),
        "workers_rss_before_mb": before["workers_rss"],
        "workers_rss_after_mb": after["workers_rss"],
        "workers_growth_mb": grew("workers_rss"),
        "bot_growth_net_per_1000_answers_mb": round(grew("bot_rss", held_growth) * per_thousand, 1),
        "workers_growth_per_1000_answers_mb": round(grew("workers_rss") * per_thousand, 1),
        "bot_pss_before_mb": before["bot_pss"],
        "bot_pss_after_mb": after["bot_pss"],
        "workers_pss_before_mb": before["workers_pss"],
        "workers_pss_after_mb": after["workers_pss"],
        "bot_pss_growth_net_mb": grew("bot_pss", held_growth),
        "workers_pss_growth_mb": grew("workers_pss"),
        "steady_pss_growth_per_1000_answers_mb": _steady_growth(trend) if trend else None,
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


async def _fair_round(
    emu: DiscordEmulator, pool: FormulaPool, crowd: Sequence[User], flooder: User | None, flood: int
) -> tuple[list[Outcome], list[str]]:
    """One distinct /fit from each of ``crowd`` and, with a ``flooder``, ``flood`` more from them, all at
    the same moment: the crowd's outcomes and what each of the flooder's commands was told (``_said``)."""
    commands = pool.fits(len(crowd)) + (pool.fits(flood) if flooder else [])
    senders = [*crowd, *([flooder] * flood if flooder else [])]
    interactions = await asyncio.gather(
        *(
            emu.slash(name, options, user=user)
            for (name, options), user in zip(commands, senders, strict=True)
        )
    )
    await asyncio.gather(*(_finished(i, 60.0 + 2 * len(commands)) for i in interactions))
    grouped = _by_token(emu)
    outcomes = [_outcome(i, grouped.get(i.token, []), None, True) for i in interactions[: len(crowd)]]
    said = [_said(i) for i in interactions[len(crowd) :]]
    _forget(emu)
    return outcomes, said


async def fair_use(
    emu: DiscordEmulator, pool: FormulaPool, others: int, flood: int, rounds: int
) -> dict[str, Any]:
    """How much one user's flood slows everyone else: ``others`` users each send one distinct /fit, alone
    or while one more user sends ``flood`` distinct ones at the same moment, ``rounds`` times each way in
    the order alone, flood, flood, alone, ... (so drift over time and the cost of the formulas drawn fall
    on both alike). Every formula is new (nothing is cached); the users take turns among the students
    (one served a few rounds before may still count a little: as much for the flooder as for the others).
    The p95 of all the others' answers with the flood over the p95 without, and what flooders were told."""
    students = itertools.cycle([u for u in emu.users if u.username.startswith("student")])
    answers: dict[bool, list[float]] = {False: [], True: []}
    errors = 0
    told: Counter[str] = Counter()
    start = emu.now()
    for turn in range(2 * rounds):
        flooded = turn % 4 in (1, 2)
        await asyncio.sleep(1)
        crowd = list(itertools.islice(students, others))
        flooder = next(students) if flooded else None
        outcomes, flooding = await _fair_round(emu, pool, crowd, flooder, flood)
        answers[flooded] += [o.answer * 1000 for o in outcomes if o.answer is not None]
        errors += sum(o.error is not None for o in outcomes)
        told.update(text.split(":")[0] for text in flooding)
    base, with_flood = latency(answers[False]), latency(answers[True])
    return {
        "others": others,
        "flood": flood,
        "rounds_each": rounds,
        "others_alone_answer_ms": base,
        "others_with_flood_answer_ms": with_flood,
        "p95_ratio": round(with_flood["p95"] / base["p95"], 2) if base["p95"] and with_flood["p95"] else None,
        "others_errors": errors,
        "flooder_answers": sum(v for k, v in told.items() if not k.startswith(REFUSED)) / rounds,
        "flooder_told_to_wait": sum(v for k, v in told.items() if k.startswith(REFUSED)) / rounds,
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
        await _finished(interaction, 120)
        said = _said(interaction)
        refused += said.startswith(REFUSED)
        answered += not said.startswith(REFUSED)
        if name == "fit" and interaction.original is not None and interaction.original.components:
            walkthroughs.append(interaction.original.id)
    for index in range(presses):
        if not walkthroughs:
            break
        shown = walkthroughs[index % len(walkthroughs)]
        message = emu.messages.messages.get(shown)
        nexts = (
            [c for c in message.custom_ids() if c.endswith(":n")] if message and not message.deleted else []
        )
        if message is None or not nexts or message.component(nexts[0]).get("disabled"):
            walkthroughs.remove(shown)  # deleted (a failed answer), or at its last page
            continue
        press = await emu.press(message, nexts[0], user=instructor)
        await _finished(press, 120)
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


def _memory(pids: Workers, sampler: proc.Sampler) -> dict[str, Any]:
    """Final and peak memory of the bot process, each worker and the process that forks them (the
    forkserver, or the Celery worker's main process)."""
    workers = [proc.read(pid) for pid in pids()]
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


def workload(options: LiveOptions) -> tuple[FormulaPool, list[Burst]]:
    """The formula pool and the bursts: for each size a distinct and a same burst, then one class burst.

    The same mix's variants and the class's formulas are reserved, so no distinct formula repeats them
    (and none of the class's formulas is cached before its burst); the warm-up fitted the lecture's formula
    in every worker.
    """
    registry = DatasetRegistry.bundled()
    variants = lecture_variants()
    reserved = frozenset(
        [LECTURE_FORMULA, *itertools.islice(lecture_variants(), 1000), *(text for text, _ in CLASS_FORMULAS)]
    )
    pool = FormulaPool(registry, reserved=reserved)
    bursts = []
    for size in options.bursts:
        bursts.append(Burst("distinct", tuple(pool.fits(size))))
        bursts.append(Burst("same", (fit_command(LECTURE_DATASET, next(variants)),) * size))
    if options.class_size:
        bursts.append(Burst("class", tuple(class_commands(registry, options.class_size))))
    return pool, bursts


def _students() -> tuple[UserSpec, ...]:
    """The emulator's users: its defaults and ``STUDENTS`` students."""
    return (*DEFAULT_USERS, *(UserSpec(f"student{i:03}", f"Student {i}") for i in range(STUDENTS)))


async def measure(options: LiveOptions, pool: FormulaPool, bursts: Sequence[Burst]) -> dict[str, Any]:
    """Start the bot against a fresh emulator and run the bursts, fair use, the demo and the soak."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as folder,
        backend(options, Path(folder), Path(folder) / "bot.sqlite3") as (config, started_here),
    ):
        async with running_emulator(
            heartbeat_interval_ms=options.heartbeat_ms,
            users=_students(),
            spec_path=SPEC_PATH if options.schema_check else None,
        ) as emu:
            bot = make_bot(emu, Path(folder) / "bot.sqlite3", config)
            workers = started_here or bot.engine.worker_pids
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
                if bot.ahead is not None:  # the bursts start once the example formulas are drawn ahead
                    startup["drawn_ahead"] = await bot.ahead
                    startup["drawn_ahead_s"] = round(emu.now() - started, 2)
                sampler = proc.Sampler(workers)
                sampler.start()
                results = []
                for planned in bursts:
                    await asyncio.sleep(2 * options.heartbeat_ms / 1000)  # settle between bursts
                    results.append(await burst(emu, users, planned, options.heartbeat_ms, workers))
                fairness = await fair_use(
                    emu, pool, options.fair_others, options.fair_flood, options.fair_rounds
                )
                demo = await instructor_demo(emu, pool, options.demo_commands, options.demo_presses)
                soaked = await soak(emu, workers, users, soak_commands(options.soak, pool))
                await sampler.stop()
                used = _memory(workers, sampler) | {
                    "soak": soaked,
                    "emulator_held_mb": _emulator_held_mb(emu),
                }
                jobs_run = bot.engine.jobs_run
    return {
        "startup": startup,
        "bursts": results,
        "fair_use": fairness,
        "instructor_demo": demo,
        "memory": used,
        "engine_jobs_run": jobs_run,
        "same_mix_formula": f"{LECTURE_DATASET}: variants of {LECTURE_FORMULA}",
        "class_mix_formulas": {
            "dataset": CLASS_DATASET,
            "formulas": {text: weight for text, weight in CLASS_FORMULAS},
            "per": sum(weight for _, weight in CLASS_FORMULAS),
        },
    }


def _no_workers() -> list[int]:
    """The baseline's worker processes: none (it works in threads of the bot process)."""
    return []


async def measure_baseline(options: LiveOptions, bursts: Sequence[Burst]) -> dict[str, Any]:
    """The same bursts against ``BaselineBot``: for each mix a fresh emulator and bot, one warm-up ``/fit``
    (the lecture's, which pays for the imports), then that mix's bursts in order."""
    if importlib.util.find_spec("seaborn") is None:
        return {"skipped": BASELINE_MISSING}
    results: dict[int, dict[str, Any]] = {}
    first_fit: dict[str, float | None] = {}
    for mix in dict.fromkeys(b.mix for b in bursts):
        async with running_emulator(
            heartbeat_interval_ms=options.heartbeat_ms,
            users=_students(),
            spec_path=SPEC_PATH if options.schema_check else None,
        ) as emu:
            bot = BaselineBot(emu.guild.id)
            users = itertools.cycle(emu.users)
            async with run_bot(bot, emu, timeout=START_TIMEOUT):
                _forget(emu)
                first, _, _ = await _run(
                    emu, [fit_command(LECTURE_DATASET, LECTURE_FORMULA)], users, image=True
                )
                first_fit[mix] = round(first[0].answer, 3) if first[0].answer is not None else None
                for index, planned in enumerate(bursts):
                    if planned.mix == mix:
                        await asyncio.sleep(2 * options.heartbeat_ms / 1000)
                        results[index] = await burst(
                            emu, users, planned, options.heartbeat_ms, _no_workers, memory=False
                        )
    return {
        "bot": "bench.baseline.BaselineBot: statsmodels ols + seaborn/pyplot in asyncio.to_thread, one message",
        "first_fit_answer_s": first_fit,
        "bursts": [results[index] for index in sorted(results)],
    }


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    """``ours / theirs``, None when either is missing (or theirs is 0)."""
    return round(ours / theirs, 2) if ours is not None and theirs else None


def compare(ours: Sequence[dict[str, Any]], baseline: Sequence[dict[str, Any]]) -> None:
    """Add ``vs_baseline`` to each of our bursts: our times as ratios to the baseline's on the same burst."""
    for mine, theirs in zip(ours, baseline, strict=True):
        mine["vs_baseline"] = {
            "answer_p50": _ratio(mine["answer_ms"]["p50"], theirs["answer_ms"]["p50"]),
            "answer_p95": _ratio(mine["answer_ms"]["p95"], theirs["answer_ms"]["p95"]),
            "first_text_p95": _ratio(mine["first_text_ms"]["p95"], theirs["first_text_ms"]["p95"]),
        }
