"""The classic example as a Jupyter notebook, executed on a real kernel when the site is built."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

#: The notebook's cells: Markdown text or code, in order.
CELLS: list[tuple[str, str]] = [
    ("markdown", "**The classic example in a notebook**: one training step of the 2-2-2 network, from Python."),
    (
        "code",
        "import stepgrad\n\nsetup = stepgrad.classic_setup()\n"
        "trace = stepgrad.train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)\n"
        'values = trace.values()\nvalues["out_o1"], values["dE_total/dw5"], values["w5+"], values["E_total+"]',
    ),
    ("markdown", "Backpropagation agrees with finite differences on every parameter:"),
    (
        "code",
        "check = stepgrad.check_gradients(setup.network, setup.inputs, setup.targets)\n"
        'check.passed(1e-8), check.analytic["w1"], check.numerical["w1"]',
    ),
    ("markdown", "Any step of the derivation, with its formula and the numbers put in:"),
    (
        "code",
        'derivation = stepgrad.explain(setup)\nstep = derivation.step("dE_total/dw1")\n'
        "print(step.formula)\nprint(step.substituted())\nprint(step.value)",
    ),
    ("markdown", "Repeating the update lowers the error; 200 steps, drawn with matplotlib:"),
    (
        "code",
        "import matplotlib.pyplot as plt\n\nnetwork, errors = setup.network, []\nfor _ in range(200):\n"
        "    trace = stepgrad.train_step(network, setup.inputs, setup.targets, setup.learning_rate)\n"
        '    errors.append(trace.values()["E_total"])\n    network = trace.network_new\n'
        'fig, ax = plt.subplots(figsize=(6, 3))\nax.plot(errors)\nax.set_xlabel("step")\nax.set_ylabel("E_total")\n'
        "plt.show()",
    ),
    ("markdown", "Check a learner's numbers; in Jupyter the report displays itself as HTML:"),
    (
        "code",
        "from pathlib import Path\nfrom stepgrad.check import check_answers\n\n"
        'Path("mine.txt").write_text("out_h1 = 0.5933\\ndelta_o1 = -0.1385\\nw5+ = 0.4411\\n")\n'
        'check_answers("mine.txt")',
    ),
]


def classic_notebook() -> nbformat.NotebookNode:
    """The notebook, not yet executed."""
    cells = [new_markdown_cell(text) if kind == "markdown" else new_code_cell(text) for kind, text in CELLS]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def executed_notebook() -> nbformat.NotebookNode:
    """The notebook run top to bottom on a fresh ``python3`` kernel (an error in a cell fails the build)."""
    notebook = classic_notebook()
    with tempfile.TemporaryDirectory() as folder:
        # IPC sockets in the temporary folder: the kernel listens on no TCP port, and says nothing about it.
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(folder) / "kernel"))
        client = NotebookClient(notebook, km=kernel, timeout=120, resources={"metadata": {"path": folder}})
        try:
            client.execute()
        finally:
            if kernel.has_kernel:  # the client shuts down only a kernel it started itself
                kernel.shutdown_kernel(now=True)
    return notebook


def notebook_page(notebook: nbformat.NotebookNode, download: str) -> str:
    """The executed notebook as a page: nbconvert's basic HTML (no scripts, no outside assets)."""
    body, _ = HTMLExporter(template_name="basic").from_notebook_node(notebook)
    return "\n".join(
        [
            "# The classic example as a notebook",
            "",
            "Generated and executed on a real Jupyter kernel each time the site is built "
            f"(`docs/sitegen/notebook.py`). [Download the notebook]({download}).",
            "",
            f'<div class="executed-notebook">\n{body}\n</div>',
            "",
        ]
    )
