"""Configuration: defaults, the example file, environment overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

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
