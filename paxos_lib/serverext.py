"""A Jupyter server extension that sends kernel messages to the browser without delay.

Theory of operation: a click on a browser-drawn view (``px.viz.ClusterView``) travels to the
kernel as a widget message, and the answer comes back through the Jupyter server's kernel
websocket as several small frames in a row (status busy, the comm message with the new view,
status idle).  Tornado leaves Nagle's algorithm on for a websocket unless the handler calls
``set_nodelay(True)``, and jupyter_server does not: the server then holds each small frame
after the first until the browser acknowledges the previous one, and the browser delays that
acknowledgement (about 40 ms on Linux).  Every step of a view waited for it.

Loading this extension wraps ``KernelWebsocketHandler.open`` so that each kernel websocket
turns Nagle's algorithm off (``TCP_NODELAY``) as soon as it is open; nothing else changes.
The course enables it through the package's installed Jupyter config
(``etc/jupyter/jupyter_server_config.d/paxos_lib.json``, written by ``pip install``), so a
plain ``jupyter lab`` has it; ``jupyter server extension disable paxos_lib.serverext`` turns
it off.  If the server's internals differ (no such handler, no ``set_nodelay``), it leaves the
server as it is and says so in one debug line: it can never stop a server from starting.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any

__all__ = ["NODELAY_MARK", "install_nodelay"]

#: Attribute set on the wrapped ``open``: the handler class already turns Nagle off.
NODELAY_MARK = "_paxos_lib_nodelay"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The extension's entry point, as jupyter_server looks it up."""
    return [{"module": "paxos_lib.serverext"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Called by jupyter_server when the extension is enabled."""
    install_nodelay(serverapp.log)


def install_nodelay(log: logging.Logger | None = None) -> bool:
    """Make every kernel websocket opened from now on send without Nagle's delay.

    Returns True when the handler is (or already was) wrapped, False when the installed
    jupyter_server has no handler to wrap (then nothing is changed).
    """
    log = log or logging.getLogger(__name__)
    try:
        from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    except ImportError as exc:
        log.debug("paxos_lib.serverext: kernel websocket left as is (%s)", exc)
        return False
    original = getattr(KernelWebsocketHandler, "open", None)
    if not callable(original) or not callable(getattr(KernelWebsocketHandler, "set_nodelay",
                                                      None)):
        log.debug("paxos_lib.serverext: kernel websocket left as is (no open/set_nodelay)")
        return False
    if getattr(original, NODELAY_MARK, False):
        return True
    KernelWebsocketHandler.open = _with_nodelay(original)
    return True


def _with_nodelay(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def open(self: Any, *args: Any, **kwargs: Any) -> Any:
        # AssertionError/AttributeError: the connection is already gone (the original open
        # handles that); OSError: the socket refuses the option.
        with contextlib.suppress(AssertionError, AttributeError, OSError):
            self.set_nodelay(True)
        return original(self, *args, **kwargs)

    setattr(open, NODELAY_MARK, True)
    return open
