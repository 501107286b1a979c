"""``pip install -e .`` that also installs the package's data files (setuptools cmdclass).

setuptools' ``editable_wheel`` (84.x) asks the distribution ``has_data()`` before it runs
``install_data``, but the method is called ``has_data_files()``: an editable install silently
leaves out ``[tool.setuptools.data-files]``, here the Jupyter config that enables
``paxos_lib.serverext`` (``etc/jupyter/jupyter_server_config.d/paxos_lib.json``).  The course
is installed editable (``-e .`` in requirements.txt, Binder included), so this subclass runs
``install_data`` for the editable wheel too.  A regular wheel (``pip wheel .``, the browser
edition's) never uses it.  If a later setuptools asks the right question, the data is still
installed once: the override handles the "data" category itself and leaves the rest to
setuptools.
"""

from __future__ import annotations

from setuptools.command.editable_wheel import editable_wheel as _editable_wheel


class editable_wheel(_editable_wheel):
    """setuptools' ``editable_wheel`` that installs ``data_files`` into the wheel's data."""

    def _run_install(self, category: str) -> None:
        if category == "data":
            if self.distribution.has_data_files():
                self.run_command("install_data")
            return
        super()._run_install(category)
