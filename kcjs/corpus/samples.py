"""Write the bundled sample submissions used by `make demo` (python -m kcjs.corpus.samples kcjs/corpus/samples)."""
from __future__ import annotations

import sys
from pathlib import Path

from kcjs.corpus.build import application, deliverable
from kcjs.corpus.gen import docx_bytes, pdf_bytes, scan_pdf_bytes
from kcjs.pipeline.packloader import load_pack

SAMPLES = [  # (file name, subprogram, variant or deliverable kind, format)
    ("01-学会联合体-申报书.docx", "society-consortium", "compliant", "docx"),
    ("08-学会产业研究院-申报书-未盖章.pdf", "society-research-institute", "compliant", "pdf-unsealed"),
    ("02-产业院士协同创新中心-申报书-目标不足.docx", "academician-center", "target-below", "docx"),
    ("03-会地合作双百行动-申报书-超上限.pdf", "society-local-cooperation", "over-cap", "pdf"),
    ("04-院士专家服务产业江苏行-申报书-扫描件.pdf", "expert-service-tour", "compliant", "scan"),
    ("05-产业院士协同创新中心-意见建议-字数不足.docx", "academician-center", "advisory-report:3800", "docx"),
    ("06-国家级学会实体化平台-申报书-未填写.docx", "national-society-platform", "placeholder", "docx"),
]


def main(out: Path) -> None:
    pack = load_pack()
    out.mkdir(parents=True, exist_ok=True)
    for name, sid, what, fmt in SAMPLES:
        s = pack.subprogram(sid)
        if ":" in what:
            kind, words = what.split(":")
            content = deliverable(pack, s, kind, int(words), "2024年11月20日")
        else:
            content = application(pack, s, what, "table")
        if fmt == "docx":
            data = docx_bytes(content, style="bold", seal="floating")
        elif fmt == "pdf":
            data = pdf_bytes(content, seal_on_stamp_line=True)
        elif fmt == "pdf-unsealed":
            data = pdf_bytes(content)
        else:
            data = scan_pdf_bytes(pdf_bytes(content, seal_on_stamp_line=True), dpi=200, rotate_deg=0.4)
        (out / name).write_bytes(data)
    (out / "07-损坏的文件.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    print(f"{len(SAMPLES) + 1} samples written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "kcjs/corpus/samples"))
