"""paxos_lib.serverext: kernel websockets of a real Jupyter server send without Nagle's delay.

A real jupyter_server runs in a subprocess (its own config, runtime and data folders), with
the extension enabled or disabled on its command line; a real kernel starts, a websocket
client (tornado's ``websocket_connect``) opens the kernel's channels and gets its
``kernel_info_reply``, and then the server process reads ``TCP_NODELAY`` on the server side
of every open kernel websocket.  With the extension it is on, without it off (tornado's
default): the check fails if the extension stops working.  The installed package's Jupyter
config must enable the extension for every server (``jupyter server extension list``).
Speed is measured by ``bench/browser_step.py`` (``--nagle`` for the comparison), never here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SERVER = r"""
import asyncio, gc, json, socket, sys, uuid
from jupyter_server.serverapp import ServerApp
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from tornado.websocket import websocket_connect


async def main(enabled):
    app = ServerApp()
    app.initialize(argv=[
        "--ip=127.0.0.1", "--port=0", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=", "--no-browser",
        "--ServerApp.open_browser=False", f"--ServerApp.root_dir={sys.argv[2]}",
        f"--ServerApp.jpserver_extensions=paxos_lib.serverext={enabled}",
    ])
    await asyncio.sleep(0.2)  # the server binds its port from the event loop
    kernel_id = await app.kernel_manager.start_kernel()
    try:
        url = f"ws://127.0.0.1:{app.port}/api/kernels/{kernel_id}/channels"
        ws = await asyncio.wait_for(websocket_connect(url), 60)
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "",
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell",
            "buffers": [],
        }))
        while True:
            raw = await asyncio.wait_for(ws.read_message(), 60)
            if raw is None:
                raise RuntimeError("the kernel websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") == msg_id and \
                    msg["header"]["msg_type"] == "kernel_info_reply":
                break
        flags = [
            h.ws_connection.stream.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            for h in gc.get_objects()
            if isinstance(h, KernelWebsocketHandler) and h.ws_connection is not None
        ]
        ws.close()
    finally:
        await app.kernel_manager.shutdown_kernel(kernel_id, now=True)
    print(json.dumps({"nodelay": flags}))


asyncio.run(main(sys.argv[1]))
"""


def isolated_env(tmp: Path) -> dict[str, str]:
    """The environment without the user's Jupyter config, runtime and data folders."""
    env = dict(os.environ)
    for name in ("config", "runtime", "data"):
        (tmp / name).mkdir(parents=True, exist_ok=True)
        env[f"JUPYTER_{name.upper()}_DIR"] = str(tmp / name)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def server_side_nodelay(tmp: Path, enabled: bool) -> list[int]:
    """TCP_NODELAY of the server's open kernel websockets, one kernel, one client."""
    (tmp / "root").mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", SERVER, str(enabled), str(tmp / "root")],
        env=isolated_env(tmp), capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])["nodelay"]


def test_kernel_websocket_sends_without_nagle_delay_with_the_extension(tmp_path: Path) -> None:
    assert server_side_nodelay(tmp_path, enabled=True) == [1]


def test_without_the_extension_tornado_leaves_nagle_on(tmp_path: Path) -> None:
    # The check above can fail: the same server without the extension keeps Nagle's algorithm.
    assert server_side_nodelay(tmp_path, enabled=False) == [0]


def test_installed_config_enables_the_extension(tmp_path: Path) -> None:
    # requirements.txt installs the package (`-e .`) with its Jupyter config, so a plain
    # `jupyter lab` loads the extension; the user's own config is left out here.
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "server", "extension", "list"],
        env=isolated_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    out = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    assert done.returncode == 0, out
    assert re.search(r"paxos_lib\.serverext\s+enabled", out), out
    assert re.search(r"paxos_lib\.serverext\s+OK", out), out


def test_install_is_idempotent_and_marks_the_handler() -> None:
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    from paxos_lib import serverext

    original = KernelWebsocketHandler.open
    try:
        assert serverext.install_nodelay() is True
        wrapped = KernelWebsocketHandler.open
        assert getattr(wrapped, serverext.NODELAY_MARK) is True
        assert serverext.install_nodelay() is True
        assert KernelWebsocketHandler.open is wrapped  # wrapped once, not twice
    finally:
        KernelWebsocketHandler.open = original


def test_a_server_without_the_handler_is_left_as_it_is(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from paxos_lib import serverext

    monkeypatch.setitem(sys.modules, "jupyter_server.services.kernels.websocket", None)
    with caplog.at_level("DEBUG", logger="paxos_lib.serverext"):
        assert serverext.install_nodelay() is False
    assert [r.levelname for r in caplog.records] == ["DEBUG"]
