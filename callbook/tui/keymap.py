"""Every key callbook binds, in one table: id, default keys, action, footer label, help.

Widgets build their `BINDINGS` from here, the help screen and the command palette describe keys
from here, and `[keys]` in config.toml remaps any of them by id (`next = "down,n"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingsMap

if TYPE_CHECKING:
    from textual.dom import DOMNode


@dataclass(frozen=True)
class Key:
    id: str
    keys: str  # Textual key names, comma separated
    action: str
    label: str  # short, for the footer
    help: str  # one line, for the help screen and the command palette
    show: bool = True
    priority: bool = False


KEYS: dict[str, Key] = {
    k.id: k
    for k in (
        Key("call", "enter", "call", "Start/commit", "start the call; in the capture, commit it"),
        Key(
            "recall", "slash,ctrl+r", "app.recall", "Recall",
            "search everything learned: / on a pane, ctrl+r in a line (mid-call too)",
        ),
        Key(
            "no-answer", "a", "app.no_answer", "No answer",
            "record a no-answer on the highlighted prospect and move on",
        ),  # fmt: skip
        Key(
            "voicemail", "v", "app.voicemail", "Voicemail",
            "record a voicemail on the highlighted prospect and move on",
        ),  # fmt: skip
        Key("next", "n", "app.next", "Next", "next prospect in the queue"),
        Key("previous", "p", "app.previous", "Prev", "previous prospect in the queue"),
        Key("capture", "c", "app.focus_capture", "Capture", "type the capture line"),
        Key("jigsaw", "j", "app.focus_jigsaw", "Jigsaw", "move to the jigsaw pane"),
        Key("filter", "f", "app.focus_filter", "Filter", "filter the queue by name (fuzzy)"),
        Key("detail", "d", "app.detail", "Detail", "every piece with its history, all calls"),
        Key("undo", "u", "app.undo", "Undo", "undo the last call of this session"),
        Key("skip", "s", "app.skip", "Skip", "skip the highlighted prospect for today"),
        Key("snooze", "z", "app.snooze", "Snooze", "snooze the highlighted prospect until…"),
        Key("stats", "w", "app.stats", "Stats", "wins you can see: streak, funnel, days"),
        Key(
            "talk-tracks",
            "ctrl+t",
            "app.talk_tracks",
            "Talk tracks",
            "the template's questions and objection answers",
            priority=True,
        ),  # fmt: skip
        Key(
            "drop", "ctrl+g", "app.drop_call", "Drop call",
            "drop the call in progress without recording it", priority=True,
        ),  # fmt: skip
        Key("help", "question_mark,f1", "app.help", "Help", "help for the focused pane"),
        Key("quit", "ctrl+q", "app.quit", "Quit", "save the draft and quit", priority=True),
        # Keys that belong to one widget.
        Key("leave", "escape", "leave", "Leave", "leave this box for the queue", show=False),
        Key("complete", "tab", "complete", "Complete", "complete the slot name", show=False),
        Key("clear-filter", "escape", "clear_filter", "Clear", "clear the filter", show=False),
        Key("open", "enter", "open", "Open", "open the prospect detail", show=False),
        Key("call-this", "enter", "call_prospect", "Call", "call this prospect, queued or not"),
        Key("close", "escape,q", "close", "Back", "back to the calling screen"),
    )
}


def typed_character(key: str) -> str | None:
    """The character a key types ("slash" -> "/"); None for keys with modifiers or names.

    Textual's `key_to_character` misses the keys its own table renames (slash, at, minus,
    plus, backslash, underscore), so a focused Input seemed not to type them and the footer
    showed `/ Recall` where `/` types a slash."""
    import unicodedata

    from textual.keys import REPLACED_KEYS, key_to_character

    found = key_to_character(key)
    if found is None and key in REPLACED_KEYS:
        found = unicodedata.lookup(REPLACED_KEYS[key].replace("_", " ").upper())
    return found


class TypesEveryCharacter:
    """For Input subclasses: every key that types a character is the input's, so the footer
    (and the keys) never offer a binding on it while the input has the focus."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return super().check_consume_key(key, character or typed_character(key))  # type: ignore[misc]


def bind(key_id: str, *, action: str | None = None, show: bool | None = None) -> Binding:
    """The Binding for `key_id`, with its id so that the keymap can remap it."""
    key = KEYS[key_id]
    return Binding(
        key.keys,
        action or key.action,
        key.label,
        show=key.show if show is None else show,
        priority=key.priority,
        tooltip=key.help,
        id=key.id,
    )


def keys_for(key_id: str, overrides: dict[str, str]) -> str:
    """The keys a binding answers to, as a person reads them ("?, F1")."""
    from textual.keys import format_key

    raw = overrides.get(key_id) or KEYS[key_id].keys
    return ", ".join(format_key(k.strip()) for k in raw.split(",") if k.strip())


def unknown_ids(overrides: dict[str, str]) -> list[str]:
    return sorted(set(overrides) - set(KEYS))


def remap(node: DOMNode, overrides: dict[str, str]) -> None:
    """Give `node` its own bindings with the configured keys.

    `App.set_keymap` remaps everything else; this is for the screens above the capture line:
    Textual drops an ancestor's binding whose default key a focused Input types (`n`) before
    it applies the keymap, so `next = "ctrl+n"` would otherwise not work from the capture."""
    if not overrides:
        return
    seen: set[str] = set()
    bindings: list[Binding] = []
    for found in node._bindings.key_to_bindings.values():
        for binding in found:
            if binding.id in overrides:
                if binding.id in seen:
                    continue
                seen.add(binding.id)
                binding = binding.with_key(overrides[binding.id])
            bindings.append(binding)
    node._bindings = BindingsMap(bindings)
