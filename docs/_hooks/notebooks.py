"""MkDocs hook: the tutorials in ``examples/*.ipynb`` become pages, with their figures.

Each notebook is converted to Markdown at build time (nbconvert), as stored: its text,
its code and the outputs it was saved with, figures written beside the page. Nothing
is executed and nothing is fetched; the test suite is what runs the notebooks.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.structure.files import File

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def on_files(files, config):
    import nbformat
    from nbconvert import MarkdownExporter

    exporter = MarkdownExporter()
    for path in sorted(EXAMPLES.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        body, resources = exporter.from_notebook_node(
            notebook, resources={"output_files_dir": f"{path.stem}_files", "unique_key": path.stem}
        )
        body = re.sub(r"\]\((\d\d_[a-z_]+)\.ipynb\)", r"](\1.md)", body)  # links between tutorials
        files.append(File.generated(config, f"tutorials/{path.stem}.md", content=body))
        for name, data in resources["outputs"].items():
            files.append(File.generated(config, f"tutorials/{name}", content=data))
    return files
