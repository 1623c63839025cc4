"""Discord's documented limits on messages, components, commands and interaction callbacks.

Each ``check_*`` function adds Discord-shaped field errors to a :class:`FormErrors`; it never
raises on malformed input (wrong types are left to the OpenAPI validation).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from tests.emulator.errors import FormErrors, Path
from tests.emulator.models import IS_COMPONENTS_V2

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_ROW_WIDTH = 5
MAX_V2_COMPONENTS = 40
MAX_CUSTOM_ID = 100
MAX_CHOICES = 25
MAX_OPTIONS = 25
MAX_COMMANDS = 100
MAX_CONTEXT_MENU_COMMANDS = 15
MAX_COMMAND_SIZE = 4000

ACTION_ROW, BUTTON, TEXT_INPUT, LABEL = 1, 2, 4, 18
SELECTS = {3, 5, 6, 7, 8}
LINK_STYLE, PREMIUM_STYLE = 5, 6
SUBCOMMAND, SUBCOMMAND_GROUP, STRING = 1, 2, 3


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of ``value`` if it is a list, else nothing."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    """``value`` if it is a string, else the empty string."""
    return value if isinstance(value, str) else ""


def _max(errors: FormErrors, path: Path, value: Any, limit: int) -> None:
    if isinstance(value, str | list):
        errors.max_length(path, value, limit)


def _between(errors: FormErrors, path: Path, value: Any, low: int, high: int) -> None:
    errors.bad_length(path, value if isinstance(value, str | list) else None, low, high)


def _required(errors: FormErrors, path: Path, value: Any) -> None:
    if value in (None, ""):
        errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")


def check_message(body: Any, errors: FormErrors, prefix: Path = ()) -> None:
    """Content, embeds, components and attachment metadata of a message create/edit body."""
    if not isinstance(body, dict):
        return
    _max(errors, (*prefix, "content"), body.get("content"), MAX_CONTENT)
    embeds = body.get("embeds")
    _max(errors, (*prefix, "embeds"), embeds, MAX_EMBEDS)
    total = sum(_check_embed(embed, errors, (*prefix, "embeds", i)) for i, embed in enumerate(_dicts(embeds)))
    if total > MAX_EMBED_TOTAL:
        errors.add(
            (*prefix, "embeds"),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}",
        )
    flags = body.get("flags") if isinstance(body.get("flags"), int) else 0
    check_components(body.get("components"), flags, errors, (*prefix, "components"))
    for i, attachment in enumerate(_dicts(body.get("attachments"))):
        _max(errors, (*prefix, "attachments", i, "description"), attachment.get("description"), 1024)


def _check_embed(embed: dict[str, Any], errors: FormErrors, path: Path) -> int:
    """Check one embed; return its size as Discord counts it towards the 6000 total."""
    title, description = _text(embed.get("title")), _text(embed.get("description"))
    _max(errors, (*path, "title"), embed.get("title"), 256)
    _max(errors, (*path, "description"), embed.get("description"), 4096)
    size = len(title) + len(description)
    _max(errors, (*path, "fields"), embed.get("fields"), 25)
    for i, item in enumerate(_dicts(embed.get("fields"))):
        name, value = item.get("name"), item.get("value")
        _required(errors, (*path, "fields", i, "name"), name)
        _required(errors, (*path, "fields", i, "value"), value)
        _max(errors, (*path, "fields", i, "name"), name, 256)
        _max(errors, (*path, "fields", i, "value"), value, 1024)
        size += len(_text(name)) + len(_text(value))
    for part, key, limit in (("footer", "text", 2048), ("author", "name", 256)):
        sub = embed.get(part)
        if isinstance(sub, dict):
            _max(errors, (*path, part, key), sub.get(key), limit)
            size += len(_text(sub.get(key)))
    return size


def embed_attachment_refs(embeds: Any) -> Iterator[tuple[Path, str]]:
    """``(path, filename)`` for every ``attachment://filename`` URL in a list of embeds."""
    for i, embed in enumerate(_dicts(embeds)):
        for part in ("image", "thumbnail", "footer", "author"):
            sub = embed.get(part)
            key = "icon_url" if part in ("footer", "author") else "url"
            url = sub.get(key) if isinstance(sub, dict) else None
            if isinstance(url, str) and url.startswith("attachment://"):
                yield ("embeds", i, part, key), url.removeprefix("attachment://")


def _walk(components: Any, path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every component with its path: rows, children, v2 containers, accessories, label children."""
    for i, component in enumerate(_dicts(components)):
        here = (*path, i)
        yield here, component
        yield from _walk(component.get("components"), (*here, "components"))
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                yield (*here, key), component[key]
                yield from _walk(component[key].get("components"), (*here, key, "components"))


def _check_ids(components: Any, errors: FormErrors, path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """custom_id length and uniqueness over a component tree; return the walked components."""
    walked = list(_walk(components, path))
    seen: set[str] = set()
    for where, component in walked:
        custom_id = component.get("custom_id")
        if not isinstance(custom_id, str):
            continue
        _max(errors, (*where, "custom_id"), custom_id, MAX_CUSTOM_ID)
        if custom_id in seen:
            errors.add(
                (*where, "custom_id"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)
    return walked


def check_components(components: Any, flags: int, errors: FormErrors, path: Path) -> None:
    """Rows of at most 5 buttons (or one select), at most 5 rows; or at most 40 v2 components."""
    walked = _check_ids(components, errors, path)
    if flags & IS_COMPONENTS_V2:
        if len(walked) > MAX_V2_COMPONENTS:
            errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_V2_COMPONENTS} or fewer in length.")
    else:
        _max(errors, path, components, MAX_ACTION_ROWS)
        for i, row in enumerate(_dicts(components)):
            if row.get("type") != ACTION_ROW:
                errors.add(
                    (*path, i, "type"),
                    "COMPONENT_TYPE_INVALID",
                    "The specified component type is invalid in this context",
                )
                continue
            children = _dicts(row.get("components"))
            _between(errors, (*path, i, "components"), row.get("components"), 1, MAX_ROW_WIDTH)
            if any(c.get("type") in SELECTS for c in children) and len(children) > 1:
                errors.add(
                    (*path, i, "components"),
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                )
    for where, component in walked:
        _check_component(component, errors, where)


def _check_component(component: dict[str, Any], errors: FormErrors, path: Path) -> None:
    kind = component.get("type")
    if kind == BUTTON:
        _max(errors, (*path, "label"), component.get("label"), 80)
        style = component.get("style")
        if style == LINK_STYLE:
            _required(errors, (*path, "url"), component.get("url"))
        elif style != PREMIUM_STYLE:
            _required(errors, (*path, "custom_id"), component.get("custom_id"))
    elif kind in SELECTS:
        _max(errors, (*path, "placeholder"), component.get("placeholder"), 150)
        if kind == 3:
            _between(errors, (*path, "options"), component.get("options"), 1, 25)
            for i, option in enumerate(_dicts(component.get("options"))):
                for key in ("label", "value", "description"):
                    _max(errors, (*path, "options", i, key), option.get(key), 100)
    elif kind == TEXT_INPUT:
        _max(errors, (*path, "label"), component.get("label"), 45)
        _max(errors, (*path, "placeholder"), component.get("placeholder"), 100)
        _max(errors, (*path, "value"), component.get("value"), 4000)
    elif kind == LABEL:
        _max(errors, (*path, "label"), component.get("label"), 45)
        _max(errors, (*path, "description"), component.get("description"), 100)


def check_choices(choices: Any, errors: FormErrors, path: Path) -> None:
    """At most 25 choices, names 1..100 characters, string values at most 100."""
    _max(errors, path, choices, MAX_CHOICES)
    for i, choice in enumerate(_dicts(choices)):
        _between(errors, (*path, i, "name"), choice.get("name"), 1, 100)
        _max(errors, (*path, i, "value"), choice.get("value"), 100)


def check_modal(data: dict[str, Any], errors: FormErrors, path: Path) -> None:
    """Title 1..45, custom_id at most 100, 1..5 top-level components."""
    _between(errors, (*path, "title"), data.get("title"), 1, 45)
    _between(errors, (*path, "custom_id"), data.get("custom_id"), 1, MAX_CUSTOM_ID)
    _between(errors, (*path, "components"), data.get("components"), 1, 5)
    for where, component in _check_ids(data.get("components"), errors, (*path, "components")):
        _check_component(component, errors, where)


def check_callback(body: Any, errors: FormErrors) -> None:
    """Limits on an interaction callback's ``data`` for its response type."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return
    kind, data = body.get("type"), body["data"]
    if kind in (4, 5, 7):
        check_message(data, errors, ("data",))
    elif kind == 8:
        check_choices(data.get("choices"), errors, ("data", "choices"))
    elif kind == 9:
        check_modal(data, errors, ("data",))


def valid_name(name: str, kind: int) -> bool:
    """Discord's name rule: chat-input names are lowercase ``[-_\\p{L}\\p{N}]{1,32}``."""
    if not 1 <= len(name) <= 32:
        return False
    if kind != 1:
        return True
    allowed = all(ch in "-_" or unicodedata.category(ch)[0] in "LNM" for ch in name)
    return allowed and name == name.lower()


def _option_size(option: dict[str, Any]) -> int:
    size = len(_text(option.get("name"))) + len(_text(option.get("description")))
    for choice in _dicts(option.get("choices")):
        size += len(_text(choice.get("name"))) + len(str(choice.get("value", "")))
    return size + sum(_option_size(sub) for sub in _dicts(option.get("options")))


def _check_options(options: Any, errors: FormErrors, path: Path) -> None:
    _max(errors, path, options, MAX_OPTIONS)
    seen: set[str] = set()
    optional_seen = False
    for i, option in enumerate(_dicts(options)):
        here = (*path, i)
        kind, name = option.get("type"), option.get("name")
        if isinstance(name, str) and not valid_name(name, 1):
            errors.add((*here, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if name in seen:
            errors.add(
                (*here, "name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        seen.add(str(name))
        _between(errors, (*here, "description"), option.get("description"), 1, 100)
        if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            _check_options(option.get("options"), errors, (*here, "options"))
            continue
        if option.get("required"):
            if optional_seen:
                errors.add(
                    here,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        check_choices(option.get("choices"), errors, (*here, "choices"))
        if option.get("autocomplete") and option.get("choices"):
            errors.add(
                (*here, "autocomplete"),
                "APPLICATION_COMMAND_OPTIONS_AUTOCOMPLETE_CHOICES",
                "Autocomplete cannot be enabled on an option with choices",
            )


def check_command(command: Any, errors: FormErrors, path: Path = ()) -> None:
    """One application command: name, description, options, total size."""
    if not isinstance(command, dict):
        return
    kind = command.get("type") or 1
    name = command.get("name")
    if isinstance(name, str) and not valid_name(name, kind):
        errors.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    if kind == 1:
        _between(errors, (*path, "description"), command.get("description"), 1, 100)
        _check_options(command.get("options"), errors, (*path, "options"))
    if _option_size(command) > MAX_COMMAND_SIZE:
        errors.add(
            path, "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({MAX_COMMAND_SIZE})"
        )


def check_command_list(commands: Any, errors: FormErrors) -> None:
    """A bulk overwrite: each command, unique (type, name), at most 100 chat-input commands."""
    listed = _dicts(commands)
    seen: set[tuple[int, str]] = set()
    for i, command in enumerate(listed):
        check_command(command, errors, (i,))
        key = (command.get("type") or 1, str(command.get("name")))
        if key in seen:
            errors.add(
                (i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"
            )
        seen.add(key)
    for kind, limit in ((1, MAX_COMMANDS), (2, MAX_CONTEXT_MENU_COMMANDS), (3, MAX_CONTEXT_MENU_COMMANDS)):
        if sum(1 for key in seen if key[0] == kind) > limit:
            errors.add((), "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
