"""Prediction prompts: the student commits to an answer before the lesson shows it.

Theory of operation
-------------------
A lesson's "Predict, then run" prompt is followed by a cell that shows a ``Prediction``
widget (``guess = predict(options)`` displays it and returns it): 2 to 4 labelled choices,
or a free answer when no options are given, and a *Commit* button.  Committing records the
choice on the Python object and locks the widget, so the prediction cannot be changed once
the answer is in view.  The next cell
runs the scene: its first line calls ``prediction.recall()``, which prints the committed
prediction (JupyterLab previews a collapsed output by its first line, so that line must not be
part of the answer), and its last line calls ``prediction.reveal(what_happened)``, where
``what_happened`` is the option that the run itself produced (computed from the run, never
written out by hand).  ``reveal`` prints a verdict, and shows the same verdict in the widget:

- a committed choice that matches: ``✓ You predicted …, and that is what happened.``
- one that does not: ``✗ You predicted …; what happened: …``
- nothing committed: a fixed sentence that names what happened, so a notebook run without a
  browser (the lesson builder, nbval) prints the same text every time, and the stored output
  can be compared.

The lessons store their outputs, so the builder collapses the revealing cell's output and
folds the explanation that follows it (cell metadata ``jupyter.outputs_hidden`` and
``jupyter.source_hidden``; see ``tools/build_notebooks.py``): a freshly opened lesson shows
the question and the widget, not the answer.  The widget never shows the answer unless a
choice was committed, so the widget state stored in the notebook does not give it away
either.

This module is viz: it is the only kind of module that may import ipywidgets.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
from IPython.display import display

from paxos_lib.errors import ConfigError, one_of

__all__ = ["Prediction", "predict"]

#: What ``reveal`` prints after the verdict: where the explanation is.
EXPLANATION = "Why: see the folded explanation after this scene; click it to unfold it."
_NOTHING = "Pick an answer and commit it, then run the next cell."


class Prediction(widgets.VBox):
    """A committed prediction: choices (or a text box), a Commit button and a verdict line."""

    def __init__(self, options: Sequence[str] | None = None) -> None:
        if options is None:
            labels: tuple[str, ...] = ()
        else:
            if isinstance(options, str) or not isinstance(options, Sequence):
                raise ConfigError(
                    f"options must be a list of 2 to 4 answer labels (or None for a free "
                    f"answer), got {options!r}"
                )
            labels = tuple(options)
            if not 2 <= len(labels) <= 4:
                raise ConfigError(
                    f"a prediction offers 2 to 4 options (or None for a free answer), "
                    f"got {len(labels)}: {labels!r}"
                )
            for label in labels:
                if not isinstance(label, str) or not label.strip():
                    raise ConfigError(f"each option must be a non-empty string, got {label!r}")
            if len(set(labels)) != len(labels):
                raise ConfigError(f"options must differ from each other, got {labels!r}")
        self.options = labels
        #: The committed answer (an option label, or the free text), or None.
        self.committed: str | None = None
        if labels:
            self._choice: widgets.ValueWidget = widgets.RadioButtons(
                options=list(labels), value=None, layout=widgets.Layout(width="auto"),
            )
        else:
            self._choice = widgets.Text(placeholder="your prediction")
        self._commit = widgets.Button(description="Commit my prediction",
                                      button_style="primary", disabled=True,
                                      layout=widgets.Layout(width="auto"))
        self._verdict = widgets.HTML(value=_NOTHING)
        self._choice.observe(self._on_change, names="value")
        self._commit.on_click(self._on_commit)
        super().__init__(children=[widgets.HTML("<b>Your prediction</b>"), self._choice,
                                   self._commit, self._verdict])
        self.add_class("paxos-prediction")
        self._commit.add_class("paxos-prediction-commit")
        self._verdict.add_class("paxos-prediction-verdict")

    def __repr__(self) -> str:
        # what a notebook shows before the cell runs: the options, never a verdict
        offered = f"one of {len(self.options)} answers" if self.options else "a free answer"
        return f"Prediction widget: run this cell, pick {offered} and commit it."

    def _on_change(self, change: dict[str, object]) -> None:
        value = change["new"]
        self._commit.disabled = not (isinstance(value, str) and value.strip())

    def _on_commit(self, _button: object = None) -> None:
        self.commit(self._choice.value)

    def commit(self, answer: str) -> None:
        """Record ``answer`` (one of the options, or any text for a free answer) and lock
        the widget.  The Commit button calls this; a test may call it directly."""
        if self.committed is not None:
            raise ConfigError(f"a prediction is committed once; it already is: {self.committed!r}")
        if self.options and answer not in self.options:
            raise ConfigError(f"answer must be one of {one_of(self.options)}, got {answer!r}")
        if not isinstance(answer, str) or not answer.strip():
            raise ConfigError(f"answer must be a non-empty string, got {answer!r}")
        self.committed = answer.strip()
        if self._choice.value != answer:
            self._choice.value = answer
        self._choice.disabled = True
        self._commit.disabled = True
        self._verdict.value = (f"Committed: <i>{_escape(self.committed)}</i>. "
                               f"Now run the next cell.")

    def recall(self) -> None:
        """Print the committed prediction (or that none was committed).  A revealing cell
        starts with this: JupyterLab previews a collapsed output by its first line, so that
        line must not give the answer away."""
        if self.committed is None:
            print("Your prediction: none committed (the widget above takes one).")
        else:
            print(f"Your prediction: {self.committed}.")

    def verdict(self, what_happened: str) -> str:
        """The verdict for ``what_happened`` (one of the options when there are options)."""
        if not isinstance(what_happened, str) or not what_happened.strip():
            raise ConfigError(f"what_happened must be a non-empty string, got {what_happened!r}")
        if self.options and what_happened not in self.options:
            raise ConfigError(
                f"what_happened must be one of {one_of(self.options)}, got {what_happened!r}"
            )
        if self.committed is None:
            return f"No prediction was committed above. What happened: {what_happened}."
        if not self.options:
            return (f"You predicted: {self.committed}. What happened: {what_happened}. "
                    f"Compare the two.")
        if self.committed == what_happened:
            return f"✓ You predicted: {self.committed}, and that is what happened."
        return f"✗ You predicted: {self.committed}. What happened: {what_happened}."

    def reveal(self, what_happened: str) -> None:
        """Print the verdict and the pointer to the explanation; show the verdict in the
        widget too when a prediction was committed (so the stored widget state of a lesson
        built without a browser never holds the answer)."""
        text = self.verdict(what_happened)
        if self.committed is not None:
            self._verdict.value = f"<b>{_escape(text)}</b>"
        print(text)
        print(EXPLANATION)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def predict(options: Sequence[str] | None = None) -> Prediction:
    """Show a prediction widget offering ``options`` (2 to 4 labels), or a free answer when
    ``options`` is None, and return it: the student commits, and the revealing cell calls
    ``recall`` first and ``reveal`` last."""
    prediction = Prediction(options)
    display(prediction)
    return prediction
