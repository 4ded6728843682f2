"""Load a rule pack from YAML; every mistake becomes a RulePackError naming file, line and problem."""
from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from kcjs.pipeline.rulepack import Direction, DocumentKind, RulePack, Subprogram, normalize_name, reference_errors

DEFAULT_PACK = Path(__file__).parent / "packs" / "jiangsu-kcjs-2024.yaml"


class RulePackError(Exception):
    """A rule pack that cannot be used; str() is a Chinese message for the person who edited it."""


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last silently); libyaml's
    parser where PyYAML has it (the pure-Python one took ~50 ms of every `kcjs check`)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"键 {key!r} 重复（第 {seen[key] + 1} 行已有）", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text for pydantic to parse: PyYAML raises a bare ValueError on "2024-13-30".
_StrictLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()}

_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？本字段不在规则包格式中）",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）", "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）", "datetime_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS+08:00）",
    "datetime_type": "应为日期时间（YYYY-MM-DDTHH:MM:SS+08:00）",
    "string_type": "应为文本", "list_type": "应为列表", "tuple_type": "应为列表",
    "dict_type": "应为映射（键: 值）", "model_type": "应为映射（键: 值）", "model_attributes_type": "应为映射（键: 值）",
}


def _message(err: dict) -> str:
    ctx = err.get("ctx") or {}
    t = err["type"]
    if t in _MESSAGES:
        return _MESSAGES[t]
    if t == "value_error":
        return str(ctx.get("error", err["msg"]))
    if t == "literal_error":
        return f"取值应为 {ctx.get('expected')}"
    if t in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[t]
        bound = next(iter(ctx.values()), "")
        return f"取值须 {sign} {bound}（实际：{err.get('input')!r}）"
    if t == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项"
    return err["msg"]


def _node_at(root: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The YAML node a validation error's location points at (or its nearest parent)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_pack(text: str, name: str) -> RulePack:
    """Parse and validate a pack's text; `name` is used in messages."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise RulePackError(f"规则包 {name} {where}：YAML 格式错误：{e.problem or e}") from None
    except yaml.YAMLError as e:
        raise RulePackError(f"规则包 {name}：YAML 格式错误：{e}") from None
    if not isinstance(data, dict):
        raise RulePackError(f"规则包 {name}：顶层应为映射（program:, subprograms: …），实际为 {type(data).__name__}")
    try:
        pack = RulePack.model_validate(data)
    except ValidationError as e:
        problems = [(tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))),
                     _message(err), err["type"]) for err in e.errors()]
        # pydantic also calls a list "too short" when one of its items failed: keep the item's error
        problems = [(loc, msg) for loc, msg, t in problems
                    if not (t == "too_short" and any(o[:len(loc)] == loc and o != loc for o, _, _ in problems))]
    else:
        problems = reference_errors(pack)
        if not problems:
            return pack
    root = yaml.compose(text, Loader=_StrictLoader)  # the nodes, for line numbers (the text parsed above)
    lines = []
    for loc, message in problems:
        node = _node_at(root, loc)
        line = f"第 {node.start_mark.line + 1} 行" if node is not None else ""
        lines.append(f"  {line}（{_dotted(loc) or '顶层'}）：{message}")
    raise RulePackError(f"规则包 {name} 有 {len(lines)} 处错误：\n" + "\n".join(lines))


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> RulePack:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulePackError(f"找不到规则包 {path}") from None
    except UnicodeDecodeError as e:
        raise RulePackError(f"规则包 {path} 不是 UTF-8 编码（第 {e.start} 字节）：请用 UTF-8 保存") from None
    except OSError as e:
        raise RulePackError(f"无法读取规则包 {path}：{e.strerror}") from None
    return parse_pack(text, path)


def load_pack(path: str | Path | None = None) -> RulePack:
    """Load a pack (the bundled 2024 notice by default); cached while the file is unchanged."""
    p = Path(path) if path else DEFAULT_PACK
    try:
        mtime = p.stat().st_mtime
    except OSError:
        raise RulePackError(f"找不到规则包 {p}") from None
    return _load_cached(str(p), mtime)


def find_subprogram(pack: RulePack, name: str) -> Subprogram:
    """A subprogram by id, Chinese name or alias; a LookupError suggests the nearest names."""
    key = normalize_name(name)
    for s in pack.subprograms:
        if key in {normalize_name(n) for n in (s.id, s.name, *s.aliases)}:
            return s
    for s in pack.subprograms:  # a direction's name finds its subprogram
        for d in s.directions:
            if key in {normalize_name(n) for n in (d.id, d.name, *d.aliases)}:
                return s
    choices = {n: s for s in pack.subprograms for n in (s.id, s.name, *s.aliases)}
    near = difflib.get_close_matches(name, list(choices), n=5, cutoff=0.3)
    near += [n for n in choices if key and (key in normalize_name(n) or normalize_name(n) in key)]
    seen = list(dict.fromkeys(f"{choices[n].id}（{choices[n].name}）" for n in near))
    hint = "；是否要找：" + "、".join(seen[:4]) if seen else ""
    raise LookupError(f"未知的子项目 {name!r}{hint}。`kcjs rules` 列出全部子项目。")


def find_kind(pack: RulePack, name: str) -> DocumentKind:
    """A document kind by id or Chinese name (申报书 for the application); LookupError lists the choices."""
    key = normalize_name(name)
    for k in pack.document_kinds:
        if key in (normalize_name(k.id), normalize_name(k.name)) or (k.id == "application" and key == normalize_name("申报书")):
            return k
    raise LookupError(f"未知的材料类型 {name!r}；可选：" + "、".join(f"{k.id}（{k.name}）" for k in pack.document_kinds))


def find_direction(sub: Subprogram, name: str) -> Direction:
    """A direction of `sub` by id, name or alias; LookupError names the subprogram's directions."""
    key = normalize_name(name)
    for d in sub.directions:
        if key in {normalize_name(n) for n in (d.id, d.name, *d.aliases)}:
            return d
    have = "、".join(d.name for d in sub.directions) or "无"
    raise LookupError(f"子项目“{sub.name}”没有方向“{name}”（可选：{have}）")
