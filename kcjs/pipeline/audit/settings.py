"""Staff's choices for one audit, without code: turn a rule off or change its severity, choose the
rules that make an applicant 不予受理 — from a small TOML file (--config) or CLI flags, recorded in the report.

    # kcjs.toml
    [rules]
    "language.foreign_passage" = "off"      # off | error | warning | info ("*" patterns allowed)
    "stamps.missing" = "warning"
    [verdict]
    fatal = ["eligibility.blacklisted", "limit.*"]   # replaces the rule pack's screening.fatal
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from kcjs.pipeline.safe_output import input_error

SEVERITIES = ("error", "warning", "info")


class SettingsError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    disabled: tuple[str, ...] = ()                       # rule ids or patterns
    severity: dict[str, str] = field(default_factory=dict)  # rule id or pattern -> error|warning|info
    fatal: tuple[str, ...] | None = None                 # None: the rule pack's screening.fatal
    config: str | None = None                            # the file they came from, if any

    def is_off(self, rule_id: str) -> bool:
        return any(fnmatchcase(rule_id, p) for p in self.disabled)

    def severity_of(self, rule_id: str, given: str) -> str:
        """The severity this run gives a finding (the most specific pattern wins: an exact id over "x.*")."""
        hits = [p for p in self.severity if fnmatchcase(rule_id, p)]
        return self.severity[max(hits, key=lambda p: (p == rule_id, len(p)))] if hits else given

    def to_json(self) -> dict:
        return {"config": self.config, "disabled": list(self.disabled), "severity": dict(self.severity),
                "fatal": list(self.fatal) if self.fatal is not None else None}

    def describe(self) -> list[str]:
        """One Chinese line per choice, for the report (empty when the run used the rule pack as is)."""
        lines = [f"配置文件：{self.config}"] if self.config else []
        lines += [f"已关闭规则：{p}" for p in self.disabled]
        lines += [f"级别改为{ {'error': '错误', 'warning': '警告', 'info': '提示'}[s]}：{p}" for p, s in self.severity.items()]
        if self.fatal is not None:
            lines.append(f"不予受理的规则（本次设定）：{'、'.join(self.fatal) or '无'}")
        return lines

    # --- applying them ------------------------------------------------------------------------------
    def findings(self, findings: list[dict]) -> list[dict]:
        """Findings without the rules turned off, each with this run's severity (and `severity_was` when changed)."""
        out = []
        for f in findings:
            if self.is_off(f["rule"]):
                continue
            sev = self.severity_of(f["rule"], f["severity"])
            out.append(f if sev == f["severity"] else {**f, "severity": sev, "severity_was": f["severity"]})
        return out

    def document(self, result: dict) -> dict:
        """A document's result under this run's choices: its findings filtered, pass/fail decided again
        (error and review stay what they were: the file could not be read or recognised)."""
        if not (self.disabled or self.severity):
            return result
        result = {**result, "findings": self.findings(result["findings"])}
        if result["status"] in ("pass", "fail"):
            result["status"] = "fail" if any(f["severity"] == "error" for f in result["findings"]) else "pass"
        return result


def _check_ids(patterns, known: set[str], where: str) -> None:
    for p in patterns:
        if not any(fnmatchcase(k, p) for k in known):
            raise SettingsError(f"{where}：没有规则 {p!r}（用 kcjs rules 查看全部规则 id）")


def load(config: Path | None, disable: list[str], severity: list[str], known: set[str]) -> Settings:
    """Settings from a TOML file and CLI flags (flags win); unknown rule ids, bad severities and bad TOML
    raise SettingsError. `severity` items are "RULE=warning"."""
    disabled: list[str] = []
    sev: dict[str, str] = {}
    fatal = None
    if config is not None:
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as e:
            raise SettingsError(f"无法读取配置文件 {config}：{input_error(e)}") from None
        except tomllib.TOMLDecodeError as e:
            at = re.search(r"line (\d+), column (\d+)", str(e))
            where = f"第 {at[1]} 行第 {at[2]} 列附近" if at else "某处"
            raise SettingsError(f"配置文件 {config.name} 格式有误：{where}不符合 TOML 写法"
                                f"（例如 disable = [\"language.foreign_passage\"]）") from None
        unknown = set(data) - {"rules", "verdict"}
        if unknown:
            raise SettingsError(f"配置文件 {config.name} 中有不认识的部分：{'、'.join(sorted(unknown))}（可用 [rules]、[verdict]）")
        for rule_id, value in (data.get("rules") or {}).items():
            value = str(value).lower()
            if value in ("off", "false", "no"):
                disabled.append(rule_id)
            elif value in SEVERITIES:
                sev[rule_id] = value
            else:
                raise SettingsError(f"配置文件 {config.name}：规则 {rule_id} 的值 {value!r} 应为 off、error、warning 或 info")
        if "fatal" in (data.get("verdict") or {}):
            fatal = data["verdict"]["fatal"]
            if not isinstance(fatal, list) or not all(isinstance(x, str) for x in fatal):
                raise SettingsError(f"配置文件 {config.name}：[verdict] fatal 应为规则 id 的列表")
            _check_ids(fatal, known, f"配置文件 {config.name} [verdict]")
            fatal = tuple(fatal)
        _check_ids(list(disabled) + list(sev), known, f"配置文件 {config.name}")
    for item in severity:
        rule_id, eq, value = item.partition("=")
        if not eq or value.strip().lower() not in SEVERITIES:
            raise SettingsError(f"--severity 应写成 规则=级别（级别为 error、warning 或 info），收到 {item!r}")
        sev[rule_id.strip()] = value.strip().lower()
        if rule_id.strip() in disabled:
            disabled.remove(rule_id.strip())
    disabled += [d for d in disable if d not in disabled]
    _check_ids(disable, known, "--disable")
    _check_ids([s.partition("=")[0].strip() for s in severity], known, "--severity")
    return Settings(tuple(disabled), sev, fatal, str(config) if config else None)
