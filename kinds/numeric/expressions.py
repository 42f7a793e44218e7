"""A safe evaluator for the arithmetic in numeric questions (answers, misconceptions, constraints).

It walks Python's ``ast`` against a whitelist instead of calling ``eval``: a question.yaml must never
reach attribute access, subscripts, imports or lambdas, and an author's typo should produce an error
that says what is wrong, not a traceback.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

Number = int | float
MAX_SOURCE_LENGTH = 500
MAX_NODES = 300
MAX_EXPONENT = 64
MAX_MAGNITUDE = 1e30  # far beyond any parameter count or byte size a question asks for


class ExpressionError(ValueError):
    """The expression cannot be parsed or evaluated; the message says why."""


def _sqrt(value: Number) -> float:
    if value < 0:
        raise ExpressionError(f"sqrt of a negative number ({value})")
    return math.sqrt(value)


# name -> (function, minimum arguments, maximum arguments or None for any number)
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "min": (min, 2, None),
    "max": (max, 2, None),
    "abs": (abs, 1, 1),
    "round": (round, 1, 2),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "sqrt": (_sqrt, 1, 1),
}

_BINARY: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**",
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
}
_FORBIDDEN_NAMES = {
    ast.Attribute: "attribute access (a.b)", ast.Subscript: "subscripts (a[i])",
    ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Starred: "*arguments", ast.IfExp: "if-expressions", ast.JoinedStr: "strings",
    ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets",
    ast.NamedExpr: ":=",
}
_STRUCTURAL = (ast.Expression, ast.Load, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)


@lru_cache(maxsize=1024)
def parse(source: str) -> ast.Expression:
    """Parse and whitelist-check an expression (cached: the same strings are graded many times)."""
    if not isinstance(source, str):
        raise ExpressionError("must be a text expression")
    text = source.strip()
    if not text:
        raise ExpressionError("is empty")
    if len(text) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"is longer than {MAX_SOURCE_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"syntax error at column {error.offset}: {error.msg}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError("is too complex")
    for node in nodes:
        _check_node(node)
    return tree


def _check_node(node: ast.AST) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r}")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
    elif isinstance(node, ast.Compare):
        if not all(type(op) in _COMPARE for op in node.ops):
            raise ExpressionError("only ==, !=, <, <=, >, >= comparisons are allowed")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(f"only the functions {allowed} may be called")
        if node.keywords:
            raise ExpressionError(f"{node.func.id}() takes no keyword arguments")
        low, high = FUNCTIONS[node.func.id][1:]
        if len(node.args) < low or (high is not None and len(node.args) > high):
            raise ExpressionError(f"{node.func.id}() called with {len(node.args)} arguments")
    elif isinstance(node, (ast.Name, ast.BoolOp, *_STRUCTURAL)):
        return
    else:
        what = _FORBIDDEN_NAMES.get(type(node), type(node).__name__)
        raise ExpressionError(f"{what}: not allowed in an expression")


def names(source: str) -> set[str]:
    """The variable names an expression uses (function names excluded)."""
    tree = parse(source)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {
        node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called
    }


def check(source: str, allowed: set[str] | frozenset[str]) -> None:
    """Parse ``source`` and make sure it only uses ``allowed`` variable names."""
    unknown = names(source) - set(allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise ExpressionError(
            f"uses unknown variable(s) {', '.join(sorted(unknown))} (declared: {known})"
        )


def evaluate(source: str, variables: Mapping[str, Number]) -> Number | bool:
    return _eval(parse(source).body, variables)


def evaluate_number(source: str, variables: Mapping[str, Number]) -> Number:
    value = evaluate(source, variables)
    if isinstance(value, bool):
        raise ExpressionError("is a comparison; a number was expected")
    return value


def _eval(node: ast.AST, variables: Mapping[str, Number]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in variables:
            raise ExpressionError(f"unknown variable {node.id!r}")
        return variables[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, variables)
        if isinstance(node.op, ast.Not):
            return not operand
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        return _binary(node.op, _eval(node.left, variables), _eval(node.right, variables))
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(value, variables) for value in node.values)
        return any(_eval(value, variables) for value in node.values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, variables)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, variables)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)  # guaranteed by _check_node
        function = FUNCTIONS[node.func.id][0]
        args = [_eval(arg, variables) for arg in node.args]
        return _bounded(function(*args))
    raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable after parse()


def _binary(op: ast.operator, left: Any, right: Any) -> Number:
    if isinstance(op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
        raise ExpressionError("division by zero")
    if isinstance(op, ast.Add):
        result = left + right
    elif isinstance(op, ast.Sub):
        result = left - right
    elif isinstance(op, ast.Mult):
        result = left * right
    elif isinstance(op, ast.Div):
        result = left / right
    elif isinstance(op, ast.FloorDiv):
        result = left // right
    elif isinstance(op, ast.Mod):
        result = left % right
    else:
        if abs(right) > MAX_EXPONENT:
            raise ExpressionError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if left == 0 and right < 0:
            raise ExpressionError("division by zero (0 to a negative power)")
        result = left**right
        if isinstance(result, complex):
            raise ExpressionError("a negative number to a fractional power")
    return _bounded(result)


def _bounded(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError("the result is not a finite number")
    if isinstance(value, (int, float)) and abs(value) > MAX_MAGNITUDE:
        raise ExpressionError("the result is too large")
    return value
