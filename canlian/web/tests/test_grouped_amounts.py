"""Amounts shown to people are grouped by thousands, as a Chinese finance office writes them
(69,440.00, not 69440.00; canlian.lib.money.figures and the template filter `grouped`).

Two scans of the source. In Python: a message (gettext) formatted with an amount written by
an f-string without the comma (f"{total:.2f}", f"{amount:f}"), or such an f-string passed to
the messages framework. In templates: a value ending in .total, .amount or annual_wage printed
or passed to a message (`{% blocktranslate with total=roll.total %}`) without `|grouped`.
Machine-readable text stays as it is: bank-file rows, audit details and command output in
JSON are not messages, and the scan leaves them alone.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # canlian/

GETTEXT = {
    "_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext",
}  # fmt: skip
MESSAGES = {"debug", "info", "success", "warning", "error", "add_message"}
# A fixed-point format without the thousands comma: ".2f", "f", "0.2f".
UNGROUPED_SPEC = re.compile(r"0?(\.\d+)?f")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_message(node: ast.AST | None, messages: set[str]) -> bool:
    """A gettext call, or a name bound to one in the same function."""
    if isinstance(node, ast.Call):
        return _name(node.func) in GETTEXT
    if isinstance(node, ast.IfExp):
        return _is_message(node.body, messages) or _is_message(node.orelse, messages)
    return isinstance(node, ast.Name) and node.id in messages


def _ungrouped(node: ast.AST | None) -> list[str]:
    """The f-string amounts in `node` written without the thousands comma."""
    found = []
    for child in ast.walk(node) if node is not None else ():
        if isinstance(child, ast.FormattedValue) and isinstance(child.format_spec, ast.JoinedStr):
            spec = "".join(
                str(v.value) for v in child.format_spec.values if isinstance(v, ast.Constant)
            )
            if UNGROUPED_SPEC.fullmatch(spec):
                found.append(f"{ast.unparse(child.value)}:{spec}")
    return found


FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _scopes(tree: ast.Module) -> list[ast.AST]:
    return [tree, *(n for n in ast.walk(tree) if isinstance(n, FUNCTION))]


def _own(scope: ast.AST) -> list[ast.AST]:
    """The nodes of `scope`, not those of the functions defined in it."""
    nodes, todo = [], list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        nodes.append(node)
        if not isinstance(node, FUNCTION):
            todo += ast.iter_child_nodes(node)
    return nodes


def _bound(scope: ast.AST) -> dict[str, ast.expr]:
    """A value assigned to each plain name in `scope` (not in the functions defined in it)."""
    bound: dict[str, ast.expr] = {}
    for node in _own(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = node.value
    return bound


def python_findings(source: str) -> list[str]:
    """Messages formatted with amounts written without the thousands comma."""
    found = []
    for scope in _scopes(ast.parse(source)):
        bound = _bound(scope)
        messages = {name for name, value in bound.items() if _is_message(value, set())}
        for node in _own(scope):
            values: list[ast.AST | None] = []
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
                if _is_message(node.left, messages):
                    right = node.right
                    if isinstance(right, ast.Name):  # words = {...}; _("…") % words
                        right = bound.get(right.id, right)
                    values.append(right)
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "format":
                    if _is_message(func.value, messages):
                        values += [*node.args, *(k.value for k in node.keywords)]
                elif (
                    isinstance(func, ast.Attribute)
                    and func.attr in MESSAGES
                    and _name(func.value) == "messages"
                ):
                    values += node.args[1:]
            for value in values:
                found += [f"line {node.lineno}: {f}" for f in _ungrouped(value)]
    return sorted(set(found))


AMOUNT = r"[A-Za-z_]\w*(?:\.\w+)*\.(?:total|amount|annual_wage)"
# A value printed ({{ roll.total }}) or passed on (with total=roll.total), with its filters.
PRINTED = re.compile(rf"\{{\{{\s*({AMOUNT})((?:\|[^}}]*)?)\s*\}}\}}")
PASSED = re.compile(rf"\b(?!counter=)\w+=({AMOUNT})((?:\|[^\s%]*)?)(?=[\s%])")
MESSAGE = re.compile(r"\{% blocktranslate .*?%\}", re.S)


def template_findings(source: str) -> list[str]:
    """Amounts printed or passed to a message in a template without `|grouped`."""
    found = []
    for match in PRINTED.finditer(source):
        if "grouped" not in match.group(2):
            found.append(match.group(0))
    for tag in MESSAGE.finditer(source):
        for match in PASSED.finditer(tag.group(0)):
            if "grouped" not in match.group(2):
                found.append(match.group(0))
    return found


def _sources(pattern: str) -> list[Path]:
    return sorted(
        p
        for p in ROOT.rglob(pattern)
        if "tests" not in p.relative_to(ROOT).parts and "migrations" not in p.parts
    )


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('messages.success(r, _("%(t)s yuan") % {"t": f"{roll.total:.2f}"})', True),
        ('x = _("%(t)s yuan") % {"t": f"{roll.total:f}"}', True),
        ('def f():\n    words = {"t": f"{x:.2f}"}\n    return _("%(t)s") % words', True),
        ('def f():\n    m = _("%(t)s")\n    return m % {"t": f"{x:.2f}"}', True),
        ('_("{t} yuan").format(t=f"{total:.2f}")', True),
        ('messages.error(request, f"{amount:.2f} yuan")', True),
        ('messages.success(r, _("%(t)s yuan") % {"t": money.figures(roll.total)})', False),
        ('x = _("%(t)s yuan") % {"t": f"{roll.total:,.2f}"}', False),
        ('x = _("%(s).1f s") % {"s": seconds}', False),
        # A bank file's row and an audit record's detail are read by machines.
        ('writer.writerow([line.reference, f"{line.amount:.2f}"])', False),
        ('audit.record(action="x", detail={"total": f"{roll.total:.2f}"})', False),
        ('self.stdout.write(json.dumps({"total": f"{roll.total:.2f}"}))', False),
    ],
)
def test_the_python_scan_tells_a_message_from_machine_text(source: str, flagged: bool) -> None:
    assert bool(python_findings(source)) is flagged


BT = "{%% blocktranslate %s %%}{{ total }}{%% endblocktranslate %%}"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        (BT % "with total=roll.total", True),
        (BT % "with lines=n total=p.total", True),
        ("<td>{{ e.annual_wage }}</td>", True),
        ("<td>{{ line.amount }}</td>", True),
        ('<td>{{ d.amount|default_if_none:"—" }}</td>', True),
        (BT % "with total=roll.total|grouped", False),
        ("<td>{{ line.amount|grouped }}</td>", False),
        ('<td>{{ d.amount|grouped|default_if_none:"—" }}</td>', False),
        ("<td>{{ declaration.amount_text }}</td>", False),
        ("<td>{{ minimum_annual_wage }}</td>", False),  # formatted by the view
        (BT % "with done=job.rows_done total=job.rows_total", False),
        (BT % "count counter=g.total with shown=g.total|grouped", False),
        ('{% include "stats/_cell.html" with cell=table.total %}', False),
    ],
)
def test_the_template_scan_finds_amounts_without_grouped(source: str, flagged: bool) -> None:
    assert bool(template_findings(source)) is flagged


def test_no_message_formats_an_amount_without_the_thousands_comma() -> None:
    found = [
        f"{path.relative_to(ROOT)} {finding}"
        for path in _sources("*.py")
        for finding in python_findings(path.read_text())
    ]
    assert not found, "write amounts in messages with canlian.lib.money.figures:\n" + "\n".join(
        found
    )


def test_no_template_shows_an_amount_without_grouped() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {finding}"
        for path in _sources("*.html")
        for finding in template_findings(path.read_text())
    ]
    assert not found, "print amounts with |grouped:\n" + "\n".join(found)
