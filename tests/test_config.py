"""Configuration: defaults, the example file, environment overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import _arguments, main
from bot.config import DEFAULT_API_BASE_URL, ConfigError, load

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_documents_every_default():
    from_example = load(ROOT / "config.example.toml", environ={})
    assert from_example == load(None, environ={})
    assert from_example.discord.api_base_url == DEFAULT_API_BASE_URL


def test_environment_overrides_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[discord]\ntoken = "from-file"\napi_base_url = "http://127.0.0.1:1/api/v10"\ndev_guild_id = 42\n'
    )
    config = load(
        path, environ={"DISCORD_TOKEN": "from-env", "DISCORD_API_BASE_URL": "http://localhost:2/api"}
    )
    assert config.discord.token == "from-env" and config.discord.api_base_url == "http://localhost:2/api"
    assert config.discord.dev_guild_id == 42
    assert "from-env" not in repr(config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[discord\n", "not valid TOML"),
        ("[discrod]\n", "unknown section"),
        ("[discord]\ntokn = 'x'\n", "unknown key(s) in [discord]: tokn"),
        ("[workers]\nprocesses = 'two'\n", "[workers] processes must be a int"),
        ("[workers]\nprocesses = 0\n", "between 1 and 32"),
        ("[discord]\napi_base_url = 'discord.com'\n", "must start with http"),
        ("[instructors]\nrole_ids = ['admin']\n", "list of numbers"),
        ("[rate_limit]\ncommands = 8\n", "[rate_limit] is gone"),
        ("[workers]\njobs_per_user = 0\n", "must be positive"),
    ],
)
def test_mistakes_name_the_key(tmp_path, text, message):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=None) as info:
        load(path, environ={})
    assert message in str(info.value)


def test_every_section_is_read(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        "[instructors]\nrole_ids = [11, 12]\n[uploads]\nmax_megabytes = 1\nmax_rows = 10\nmax_columns = 3\n"
        "[workers]\nprocesses = 1\nmax_queue = 4\njobs_per_user = 2\n"
        '[storage]\ndatabase = "x.sqlite3"\n'
    )
    config = load(path, environ={})
    assert config.instructors.role_ids == (11, 12)
    assert (config.uploads.max_megabytes, config.uploads.max_rows, config.uploads.max_columns) == (1.0, 10, 3)
    assert (config.workers.processes, config.workers.max_queue, config.workers.jobs_per_user) == (1, 4, 2)
    assert config.storage.database == "x.sqlite3"


def test_shards_come_from_the_file_the_environment_and_the_command_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[discord]\nshard_count = 4\nshard_ids = [2, 3]\n")
    from_file = load(path, environ={}).discord
    assert (from_file.shard_count, from_file.shard_ids, from_file.holds_shard_zero) == (4, (2, 3), False)
    from_env = load(path, environ={"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0, 1"}).discord
    assert (from_env.shard_count, from_env.shard_ids, from_env.holds_shard_zero) == (2, (0, 1), True)
    from_flags = load(path, environ={"DISCORD_SHARD_IDS": "3"}, shard_count=3, shard_ids=(1,)).discord
    assert (from_flags.shard_count, from_flags.shard_ids) == (3, (1,))
    assert "shard_count=3, shard_ids=(1,)" in repr(from_flags)
    unsharded = load(None, environ={}).discord
    assert (unsharded.shard_count, unsharded.shard_ids, unsharded.holds_shard_zero) == (None, (), True)


def test_the_command_line_overrides_the_shards(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("[discord]\nshard_count = 4\n")
    args = _arguments(["--config", str(path), "--shard-count", "2", "--shard-ids", "0,1"])
    assert (args.shard_count, args.shard_ids) == (2, (0, 1))
    assert main(["--config", str(path), "--shard-ids", "4"]) == 2
    assert (
        "error: [discord] shard_ids must be between 0 and 3 (shard_count is 4), not 4"
        in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["--shard-ids", "zero"])
    assert "--shard-ids: must be shard numbers separated by commas" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ("[discord]\nshard_ids = [0]\n", {}, "shard_ids needs shard_count"),
        ("[discord]\nshard_count = 0\n", {}, "shard_count must be at least 1"),
        ("[discord]\nshard_count = 2\nshard_ids = [0, 2]\n", {}, "between 0 and 1 (shard_count is 2), not 2"),
        ("[discord]\nshard_count = 2\nshard_ids = [1, 1]\n", {}, "lists a shard more than once"),
        ("[discord]\nshard_ids = ['a']\n", {}, "[discord] shard_ids must be a list of numbers"),
        ("", {"DISCORD_SHARD_COUNT": "two"}, "DISCORD_SHARD_COUNT must be a whole number"),
        ("", {"DISCORD_SHARD_IDS": "0;1"}, "DISCORD_SHARD_IDS must be shard numbers separated by commas"),
    ],
)
def test_shard_mistakes_are_explained(tmp_path, text, environ, message):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load(path, environ=environ)
    assert message in str(info.value)


def test_storage_is_sqlite_by_default_and_postgresql_with_a_url(tmp_path):
    assert load(None, environ={}).storage.url == ""
    path = tmp_path / "config.toml"
    path.write_text('[storage]\nurl = "postgresql://bot:s3cret@db.example:6543/office_hours"\n')
    storage = load(path, environ={}).storage
    assert storage.url == "postgresql://bot:s3cret@db.example:6543/office_hours"
    assert "s3cret" not in repr(storage) and "bot:<hidden>@db.example:6543/office_hours" in repr(storage)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///var/bot.sqlite3", "must be a PostgreSQL URL starting with postgresql://"),
        ("postgresql+asyncpg://bot@db/office", "must be a PostgreSQL URL starting with postgresql://"),
        ("db.example:5432/office", "must be a PostgreSQL URL"),
        ("postgresql://bot:s3cret@db.example:port/office", "port that is not a number"),
        ("postgresql://bot@db.example:99999/office", "port that is not a number"),
        ("postgresql:///office", "needs the server's host"),
        ("postgresql://bot:s3cret@db.example:5432", "needs the database's name"),
        ("postgresql://bot@db.example/", "needs the database's name"),
    ],
)
def test_a_wrong_storage_url_is_explained_without_repeating_it(tmp_path, url, message):
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{url}"\n')
    with pytest.raises(ConfigError) as info:
        load(path, environ={})
    assert message in str(info.value) and "like postgresql://user@host:5432/dbname" in str(info.value)
    assert "s3cret" not in str(info.value)
