"""The `kcjs` command. Exit codes: 0 all pass, 1 some document fails or needs review (需人工核查), 2 the command could not run."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from kcjs.pipeline import __version__
from kcjs.pipeline.packloader import RulePackError, find_subprogram, load_pack
from kcjs.pipeline.rulepack import RulePack

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="kcjs：“科创江苏”专项计划申报材料的模板生成与合规检查工具。")
out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)




_json_out = False  # set by output_format(): under --format json, errors are JSON on stdout too


def fail(message: str, code: int = 2) -> None:
    """Print a Chinese error on stderr and exit (2: the command could not run); under `--format json` also
    `{"status": "error", "error": message}` on stdout, so a tool reading stdout gets JSON whatever happens."""
    from rich.markup import escape
    if _json_out:
        print_json({"status": "error", "error": message})
    err.print(f"[red]错误：[/red]{escape(message)}", highlight=False)
    raise typer.Exit(code)


def output_format(fmt: str) -> None:
    """Check --format (text or json) before any other argument, exiting 2 on another value."""
    global _json_out
    _json_out = fmt == "json"
    if fmt not in ("text", "json"):
        fail(f"--format 只能是 text 或 json，收到 {fmt!r}")


def pack_from(ctx: typer.Context) -> RulePack:
    try:
        return load_pack(ctx.obj.get("rules") if ctx.obj else None)
    except RulePackError as e:
        fail(str(e))


def print_json(data) -> None:
    """Standard JSON on stdout: never Infinity/NaN, no lone surrogates or control characters."""
    from kcjs.pipeline.safe_output import dumps
    sys.stdout.write(dumps(data, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"kcjs {__version__}")
        raise typer.Exit()


@app.callback()
def main(ctx: typer.Context,
         rules: Optional[Path] = typer.Option(None, "--rules", envvar="KCJS_RULES",
                                              help="规则包 YAML（默认：内置 2024 年通知）"),
         version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="显示版本")) -> None:
    global _json_out
    _json_out = False  # a command without --format never writes an error as JSON
    ctx.obj = {"rules": rules}


@app.command("rules")
def rules_cmd(ctx: typer.Context,
              subprogram: Optional[str] = typer.Argument(None, help="子项目 id、中文名称或简称；省略则列出全部"),
              fmt: str = typer.Option("text", "--format", "-f", help="text 或 json"),
              list_checks: bool = typer.Option(False, "--list-checks", help="列出检查器可报告的全部规则编号")) -> None:
    """列出通知的要求清单（一个或全部子项目）。"""
    output_format(fmt)
    from kcjs.pipeline.rules_view import pack_json, render_text
    if list_checks:
        from kcjs.checkers.registry import all_rules
        rs = all_rules()
        if fmt == "json":
            print_json([{"id": r.id, "severity": r.severity, "description": r.description} for r in rs])
        else:
            from rich.table import Table
            t = Table("规则编号", "级别", "说明")
            for r in rs:
                t.add_row(r.id, r.severity, r.description)
            out.print(t if rs else "（暂无检查规则）")
        return
    pack = pack_from(ctx)
    subs = list(pack.subprograms)
    if subprogram:
        try:
            subs = [find_subprogram(pack, subprogram)]
        except LookupError as e:
            fail(str(e))
    if fmt == "json":
        print_json(pack_json(pack, subs))
    else:
        render_text(pack, subs, out)


@app.command("check")
def check_cmd(ctx: typer.Context,
              files: list[Path] = typer.Argument(..., help="要检查的申报书或成果材料（.docx、PDF、扫描版 PDF）"),
              subprogram: Optional[str] = typer.Option(None, "--subprogram", "-s", help="子项目 id 或中文名称（省略则自动识别）"),
              kind: Optional[str] = typer.Option(None, "--kind", "-k", help="材料类型，如 application、advisory-report（省略则自动识别）"),
              direction: Optional[str] = typer.Option(None, "--direction", help="服务“科创江苏”其他专项的方向 id 或名称"),
              fmt: str = typer.Option("text", "--format", "-f", help="text 或 json"),
              count_mode: Optional[str] = typer.Option(None, "--count-mode", help="字数口径：word（默认）、chars、hanzi"),
              timeout: float = typer.Option(120, "--timeout", help="每个文件的读取和检查时限（秒）"),
              max_mb: float = typer.Option(50, "--max-mb", help="文件大小上限（MB）"),
              docs_per_reader: Optional[int] = typer.Option(None, "--docs-per-reader",
                                                  help="检查多个文件时，每个读取子进程连续读取的文件数，之后换新进程（1 = 每个文件一个新进程）"),
              annotate: bool = typer.Option(False, "--annotate", help="另存带批注的副本：名称.kcjs批注.docx / .pdf（原文件不变）"),
              annotate_dir: Optional[Path] = typer.Option(None, "-o", "--out", help="批注副本的输出目录（默认与原文件同目录）")) -> None:
    """检查申报书或成果材料是否符合通知要求，逐条给出证据。"""
    output_format(fmt)
    from kcjs.pipeline.check import check_files
    from kcjs.pipeline.check_view import render
    from kcjs.pipeline.readers import Limits
    pack = pack_from(ctx)
    given = _given(pack, subprogram, kind, direction, count_mode)
    limits = Limits(max_bytes=int(max_mb * 2**20), timeout_s=timeout,
                    docs_per_reader=max(1, docs_per_reader or Limits.docs_per_reader))
    from kcjs.pipeline.audit.intake import from_folder
    from kcjs.pipeline.safe_output import clean
    missing = [str(f) for f in files if not f.exists()]
    if len(missing) == len(files):  # nothing to check is a bad argument (exit 2); among others, an error result
        fail(f"找不到文件：{'、'.join(missing)}")
    paths = [p for f in files for p in ([s.path for s in from_folder(f)] if f.is_dir() else [f])]
    results = []
    for path, (result, doc) in zip(paths, check_files(paths, pack, given, limits, keep_doc=annotate)):
        results.append(clean(result))  # read and checked under the limits, in one reading child for all the files
        if annotate:  # the copy is marked from the Document the check read (the file is read once)
            _annotate(path, doc, results[-1], annotate_dir, timeout)
    if fmt == "json":
        print_json(results[0] if len(results) == 1 else results)
    else:
        console = Console(soft_wrap=True)
        for r in results:
            render(r, pack, console)
        n = {k: sum(r["status"] == k for r in results) for k in ("pass", "fail", "review", "error")}
        if len(results) > 1:
            console.print(f"共 {len(results)} 个文件：通过 {n['pass']}，不通过 {n['fail']}，需人工核查 {n['review']}，"
                          f"无法读取 {n['error']}", highlight=False)
    if any(r["status"] != "pass" for r in results):
        raise typer.Exit(1)


def _annotate(path, doc, result: dict, out_dir: Optional[Path], timeout: float) -> None:
    """Write a readable file's annotated copy from the Document its check read (None: the check's child did not
    answer); say where on stderr (a failure is a message, not an exit)."""
    from kcjs.pipeline.annotate import AnnotateError, annotate_file
    if doc is None or not doc.readable:
        err.print(f"未生成批注版：{path} 无法读取", highlight=False)
        return
    try:
        err.print(f"批注版：{annotate_file(Path(path), result, out_dir, doc, timeout)}", highlight=False)
    except (AnnotateError, OSError) as e:
        err.print(f"[yellow]未生成批注版：[/yellow]{path}：{e}", highlight=False)


def _given(pack: RulePack, subprogram, kind, direction, count_mode):
    """Resolve the user's --subprogram/--kind/--direction/--count-mode, exiting 2 on a bad value."""
    from kcjs.checkers.counting import MODES
    from kcjs.pipeline.check import Given
    from kcjs.pipeline.packloader import find_direction, find_kind
    sub = dirn = knd = None
    try:
        if subprogram:
            sub = find_subprogram(pack, subprogram)
        if kind:
            knd = find_kind(pack, kind)
        if direction:
            owners = [sub] if sub else [s for s in pack.subprograms if s.directions]
            hits, last = [], LookupError(f"未知的方向 {direction!r}：没有哪个子项目设有方向")
            for s in owners:
                try:
                    hits.append((s, find_direction(s, direction)))
                except LookupError as e:
                    last = e
            if not hits:
                raise last
            sub, dirn = hits[0]
    except LookupError as e:
        fail(str(e))
    if count_mode and count_mode not in MODES:
        fail(f"--count-mode 只能是 {'、'.join(MODES)}，收到 {count_mode!r}")
    return Given(sub, knd, dirn, count_mode)


@app.command("template")
def template_cmd(ctx: typer.Context,
                 subprogram: Optional[str] = typer.Argument(None, help="子项目 id、中文名称或简称"),
                 kind: Optional[str] = typer.Option(None, "--kind", "-k", help="只生成一种材料，如 application、advisory-report"),
                 direction: Optional[str] = typer.Option(None, "--direction", help="服务“科创江苏”其他专项的方向"),
                 all_forms: bool = typer.Option(False, "--all", help="生成全部子项目的全部表格"),
                 data: Optional[Path] = typer.Option(None, "--data", help="数据文件（YAML、JSON 或 Excel，每行一个申报单位）：批量生成已填写的申报书"),
                 data_example: Optional[str] = typer.Option(None, "--data-example", help="写出一个子项目的数据示例 .xlsx（中文列名和一行示例）"),
                 out_dir: Path = typer.Option(Path("."), "-o", "--out", help="输出目录")) -> None:
    """生成标准申报书和成果材料模板（.docx，可在 Word 或 WPS 中填写）。"""
    from kcjs.pipeline.form_data import write_data_example, write_from_data
    from kcjs.pipeline.forms import forms_of, render, write_all
    pack = pack_from(ctx)
    bad = []
    if data_example is not None:
        paths = [write_data_example(pack, _given(pack, data_example, None, None, None).subprogram, out_dir)]
    elif data is not None:
        if not data.is_file():
            fail(f"找不到数据文件 {data}")
        try:
            paths, bad = write_from_data(pack, data, out_dir)
        except ValueError as e:
            fail(str(e))
        for b in bad:
            err.print(f"有误，未生成：{b.text(data)}", highlight=False, markup=False)
        if bad and not paths:
            fail(f"{data.name} 没有一行可以生成申报书（{len({b.row for b in bad})} 行有误）")
    elif all_forms:
        paths = write_all(pack, out_dir)
    else:
        if not subprogram:
            fail("请指定子项目（如 kcjs template 学会联合体），或用 --all 生成全部表格")
        given = _given(pack, subprogram, kind, direction, None)
        sub = given.subprogram
        if given.kind and given.kind.id != "application" and given.kind.id not in {d.kind for d in sub.deliverables}:
            fail(f"“{sub.name}”不需要提交“{given.kind.name}”；可选：申报书、" + "、".join(d.name for d in sub.deliverables))
        forms = forms_of(sub, given.kind.id if given.kind else None, given.direction)
        paths = [render(pack, f, out_dir / f.file_name(pack)) for f in forms]
    for p in paths:
        sys.stdout.write(f"{p}\n")
    err.print(f"已生成 {len(paths)} 个文件" + (f"；{len({b.row for b in bad})} 行有误，未生成" if bad else ""), highlight=False)
    if bad:
        raise typer.Exit(1)


@app.command("audit")
def audit_cmd(ctx: typer.Context,
              input_path: Path = typer.Argument(..., help="申报材料所在文件夹或 .zip 压缩包"),
              manifest: Optional[Path] = typer.Option(None, "--manifest", help="清单（CSV、XLSX，或经 LibreOffice 读取的 XLS）：file, applicant, subprogram, kind[, direction]"),
              blacklist: Optional[Path] = typer.Option(None, "--blacklist", help="不得申报单位名单（CSV 或 XLSX）：applicant, reason"),
              stage: str = typer.Option("application", "--stage", help="application（申报）或 acceptance（结项）"),
              workers: int = typer.Option(os.cpu_count() or 1, "--workers", "-j", help="并行进程数"),
              out_dir: Path = typer.Option(Path("kcjs-report"), "-o", "--out", help="报告输出目录"),
              fmt: str = typer.Option("text", "--format", "-f", help="屏幕输出：text 或 json"),
              count_mode: Optional[str] = typer.Option(None, "--count-mode", help="字数口径：word、chars、hanzi"),
              timeout: float = typer.Option(120, "--timeout", help="每个文件的读取和检查时限（秒；超时或被中止的文件稍后重试一次）"),
              max_mb: float = typer.Option(50, "--max-mb", help="文件大小上限（MB）"),
              docs_per_reader: Optional[int] = typer.Option(None, "--docs-per-reader",
                                                  help="每个读取子进程连续读取的文件数，之后换新进程（1 = 每个文件一个新进程）"),
              quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度"),
              config: Optional[Path] = typer.Option(None, "--config", help="本次审核的设定（TOML）：[rules] 关闭规则或改级别，[verdict] fatal 不予受理的规则"),
              disable: list[str] = typer.Option([], "--disable", help="关闭一条规则（可重复；可用 language.* 这样的通配）"),
              severity: list[str] = typer.Option([], "--severity", help="改变规则级别：规则=error|warning|info（可重复）"),
              annotate: bool = typer.Option(False, "--annotate", help="为每个未通过的文件生成批注版，报告中链接到它"),
              against: Optional[Path] = typer.Option(None, "--against", help="与往年材料比对文本重合：往年审核的输出目录或其 kcjs-cache.sqlite"),
              dup_threshold: Optional[float] = typer.Option(None, "--dup-threshold", help="文本重合度（Jaccard，0–1）达到此值才报告（默认 0.15）")) -> None:
    """批量审核一个文件夹或压缩包中的全部申报材料，输出 Excel、HTML 和 JSON 报告。"""
    output_format(fmt)
    from kcjs.checkers.registry import all_rules
    from kcjs.pipeline.audit import intake, settings, tables
    from kcjs.pipeline.audit.batch import AuditOptions, annotation_available, audit
    from kcjs.pipeline.audit.report import write_html, write_json, write_xlsx
    from kcjs.pipeline.readers import Limits
    pack = pack_from(ctx)
    if stage not in ("application", "acceptance"):
        fail(f"--stage 只能是 application 或 acceptance，收到 {stage!r}")
    if config is not None and not config.is_file():
        fail(f"找不到配置文件 {config}")
    _given(pack, None, None, None, count_mode)
    if dup_threshold is not None and not 0 < dup_threshold <= 1:
        fail(f"--dup-threshold 应在 0 到 1 之间，收到 {dup_threshold}")
    if against is not None:
        from kcjs.pipeline.audit.narrative import open_against
        try:
            open_against(against, out_dir).close()
        except LookupError as e:
            fail(str(e))
    try:
        choices = settings.load(config, disable, severity, {r.id for r in all_rules()} | {"review"})
    except settings.SettingsError as e:
        fail(str(e))
    if annotate and not annotation_available():
        err.print("提示：本版本尚不能生成批注版，--annotate 被忽略", highlight=False)
    opts = AuditOptions(manifest, blacklist, stage, max(1, workers), count_mode,
                        Limits(max_bytes=int(max_mb * 2**20), timeout_s=timeout,
                               docs_per_reader=max(1, docs_per_reader or Limits.docs_per_reader)),
                        quiet, choices, annotate, against)
    if dup_threshold is not None:
        opts.dup_threshold = dup_threshold
    import sqlite3
    from rich.markup import escape
    from kcjs.pipeline.safe_output import output_error
    try:
        report = audit(input_path, out_dir, pack, ctx.obj.get("rules") if ctx.obj else None, opts)
        paths = [write_json(report, out_dir / "kcjs-report.json"), write_xlsx(report, out_dir / "kcjs-report.xlsx"),
                 write_html(report, out_dir / "kcjs-report.html")]
    except (intake.IntakeError, tables.TableError) as e:
        fail(str(e))
    except (OSError, sqlite3.Error) as e:  # OUT read-only, full, or not a directory
        fail(output_error(e, out_dir))
    s = report["summary"]
    if fmt == "json":
        print_json(report)
    else:
        console = Console(soft_wrap=True)
        unknown = "（其中 1 组为未识别申报单位的文件）" if s.get("unidentified") else ""
        console.print(f"共 {s['documents']} 个文件、{s['applicants']} 个申报单位{unknown}：通过 {s['pass']}，不通过 {s['fail']}，"
                      f"需人工核查 {s['review']}，无法读取 {s['error']}；跨申报问题 {s['cross_errors']} 个", highlight=False)
        v = s["verdicts"]
        console.print(f"审核结论：不予受理 {v['reject']}，需补正 {v['fix']}，合格 {v['pass']}", highlight=False)
        for line in s["settings_text"]:
            console.print(f"  本次设定 {escape(line)}", highlight=False)
        for note in s.get("notes", []):
            console.print(f"  [yellow]注意[/] {escape(note)}", highlight=False)
        for f in report["findings"]:
            console.print(f"  [{'red' if f['severity'] == 'error' else 'yellow'}]{f['rule']}[/] {escape(f['message'])}", highlight=False)
        for p in paths:
            console.print(f"报告：{escape(str(p))}", highlight=False)
    if s["fail"] or s["error"] or s["review"] or s["cross_errors"]:
        raise typer.Exit(1)


@app.command("eval")
def eval_cmd(ctx: typer.Context, directory: Path = typer.Argument(..., help="带 labels.json 的标注语料目录"),
             fmt: str = typer.Option("text", "--format", "-f", help="text 或 json")) -> None:
    """在标注语料上运行全部检查，按规则输出 precision / recall。"""
    output_format(fmt)
    from kcjs.pipeline.evaluate import evaluate, render as render_eval
    if not (directory / "labels.json").is_file():
        fail(f"{directory} 中没有 labels.json（用 python -m kcjs.corpus.build {directory} 生成语料）")
    report = evaluate(directory, pack_from(ctx))
    if fmt == "json":
        print_json(report)
    else:
        render_eval(report, Console(soft_wrap=True))
    if report["mistakes"] or report["wrong_detection"]:
        raise typer.Exit(1)


@app.command("inspect")
def inspect_cmd(files: list[Path] = typer.Argument(..., help="要查看的文件（.docx 或 PDF）"),
                fmt: str = typer.Option("text", "--format", "-f", help="text 或 json"),
                timeout: float = typer.Option(120, "--timeout", help="每个文件的读取时限（秒）"),
                max_mb: float = typer.Option(50, "--max-mb", help="文件大小上限（MB）"),
                no_ocr: bool = typer.Option(False, "--no-ocr", help="不对扫描页做 OCR")) -> None:
    """显示 kcjs 从文件中读到的内容（标题、段落、表格、图片、签名域）。"""
    output_format(fmt)
    from kcjs.pipeline.inspect_view import document_json, render_text as render_doc
    from kcjs.pipeline.readers import Limits, read_isolated
    limits = Limits(max_bytes=int(max_mb * 2**20), timeout_s=timeout, ocr=not no_ocr)
    docs = [read_isolated(f, limits) for f in files]
    if fmt == "json":
        data = [document_json(d) for d in docs]
        print_json(data[0] if len(data) == 1 else data)
    else:
        for d in docs:
            render_doc(d, out)
    if any(not d.readable for d in docs):
        raise typer.Exit(1)


@app.command("serve")
def serve_cmd(ctx: typer.Context,
              host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只允许本机访问）"),
              port: int = typer.Option(8000, "--port", help="端口"),
              max_mb: float = typer.Option(20, "--max-mb", help="单个文件大小上限（MB）"),
              timeout: float = typer.Option(120, "--timeout", help="每个文件的读取时限（秒）")) -> None:
    """启动本机网页：拖入文件即可检查，并下载带批注的文件；另可下载空白表格、批量审核压缩包。"""
    from kcjs.pipeline.web.app import serve
    from kcjs.pipeline.web.service import Settings
    pack_from(ctx)  # a broken --rules file stops here, with its message
    err.print(f"kcjs 网页已启动：请在浏览器中打开 http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}/"
              "（按 Ctrl+C 退出）", highlight=False)
    serve(host, port, Settings(max_file_mb=max_mb, timeout_s=timeout, pack_path=ctx.obj.get("rules") if ctx.obj else None))


if __name__ == "__main__":  # pragma: no cover
    app()
