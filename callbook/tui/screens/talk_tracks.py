"""Talk tracks: the template's cards of questions and objection answers, over the calling
screen. A modal: escape closes it and the capture line underneath is exactly as it was."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from callbook.model import TalkCard, Template
from callbook.tui.keymap import bind


class TalkTracksScroll(VerticalScroll):
    HELP = """
## Talk tracks
Short cards for this prospect's template: what to ask, what to say to the usual objections.
Add your own as `[[talk_tracks]]` (title, lines) in a template file in the config folder.

- **up** / **down** scroll, **escape** closes; the capture line is kept
"""


class TalkTracksScreen(ModalScreen[None]):
    BINDINGS = [bind("close")]

    DEFAULT_CSS = """
    TalkTracksScreen { align: center middle; }
    TalkTracksScreen TalkTracksScroll {
        width: 80%; max-width: 100; height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TalkTracksScreen .talk-card { margin-bottom: 1; }
    """

    def __init__(self, template: Template, *, prospect_name: str | None = None) -> None:
        super().__init__()
        self.template = template
        self.prospect_name = prospect_name

    def compose(self) -> ComposeResult:
        with TalkTracksScroll(id="talk-tracks"):
            if not self.template.talk_tracks:
                yield Static(
                    Content.styled(
                        f"No talk tracks in the {self.template.name} template yet.", "$text-muted"
                    )
                )
            for card in self.template.talk_tracks:
                yield Static(self.card(card), classes="talk-card")

    def on_mount(self) -> None:
        scroll = self.query_one(TalkTracksScroll)
        scroll.border_title = f"Talk tracks · {self.template.name}"
        if self.prospect_name:
            scroll.border_subtitle = self.prospect_name
        scroll.focus()

    def action_close(self) -> None:
        self.dismiss()

    @staticmethod
    def card(card: TalkCard) -> Content:
        lines = [Content.styled(card.title, "bold $accent")]
        lines += [Content.assemble(("• ", "$text-muted"), line) for line in card.lines]
        return Content("\n").join(lines)
