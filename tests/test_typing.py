"""The public API is annotated: every function and method a user reaches from a documented
module (the API reference's pages, and the package's own names) says what it takes and returns."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTRA = [
    "glassnet",
    "glassnet.io",
    "glassnet.io.onnx",
    "glassnet.lbfgs",
    "glassnet.data",
    "glassnet.distributed",
]


def documented_modules():
    pages = (ROOT / "docs" / "reference").glob("*.md")
    named = {
        line.split()[1] for page in pages for line in page.read_text().splitlines() if line.startswith(":::")
    }
    return sorted(named | set(EXTRA))


def source(module):
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def unannotated(function, method):
    """The parameters (and ``return``) of ``function`` that carry no annotation."""
    args = function.args
    params = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    if (
        method
        and params
        and params[0].arg in ("self", "cls")
        and not any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)
    ):
        params = params[1:]
    missing = [p.arg for p in params if p.annotation is None]
    if function.returns is None and function.name != "__init__":
        missing.append("return")
    return missing


def public_functions(module):
    tree = ast.parse(source(module).read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield f"{module}.{node.name}", node, False
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and (
                    not item.name.startswith("_") or item.name in ("__init__", "__call__")
                ):
                    yield f"{module}.{node.name}.{item.name}", item, True


@pytest.mark.parametrize("module", documented_modules())
def test_every_public_function_is_annotated(module):
    gaps = {
        name: missing
        for name, node, method in public_functions(module)
        if (missing := unannotated(node, method))
    }
    assert gaps == {}


def test_the_check_sees_the_public_api():
    found = [name for module in documented_modules() for name, _, _ in public_functions(module)]
    assert (
        len(found) > 300
        and "glassnet.network.Network.predict" in found
        and "glassnet.training.train" in found
    )
    bare = ast.parse("def f(x, *, y=1): pass").body[0]
    assert unannotated(bare, False) == ["x", "y", "return"]


def test_the_literal_names_are_the_registries_names():
    from typing import get_args

    import glassnet as gn
    from glassnet import _typing as t

    assert set(get_args(t.ActivationName)) == set(gn.ACTIVATIONS)
    assert set(get_args(t.LossName)) == set(gn.LOSSES)
    assert set(get_args(t.OptimizerName)) == set(gn.OPTIMIZERS)
    assert set(get_args(t.ScheduleName)) == set(gn.SCHEDULES)
    assert set(get_args(t.InitializerName)) == set(gn.INITIALIZERS)
    assert get_args(t.TaskName) == gn.TASKS
