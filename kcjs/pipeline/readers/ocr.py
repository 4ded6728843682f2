"""OCR of scanned pages with RapidOCR (models ship inside its wheel: no download, no network)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

OCR_DPI = 150          # chosen by bench/bench_read.py: same accuracy as 200/300 dpi, fewer pixels
REREAD_DPI = 300       # lone short numbers are read again from a sharper crop (a 9 read as 6 at 150 dpi)
RED_MARGIN = 25        # R − max(G, B) at which a pixel counts as seal ink (DESIGN.md, "Reading stamps")
SEAL_LIFT = 185        # grey (of 255) from which seal ink turns white; darker is toner under the seal


@dataclass
class OcrLine:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the image's pixels (levelled: orientation.level)
    score: float
    quad: tuple = ()  # the detector's four corners ((x, y) px: top-left, top-right, bottom-right, bottom-left)
    raw_box: tuple | None = None  # the box in the image as scanned, when `box` was levelled


THREADS = {"n": -1}  # onnxruntime threads; -1 = all cores. A pool of workers sets cores // workers each.


@dataclass(frozen=True)
class Settings:
    """How RapidOCR runs (chosen by bench/bench_ocr.py on the corpus's scans: Han recall, CPU time).

    limit_type, limit_side_len: the detector's input size ("max": the page's long side scaled down to
    limit_side_len px; RapidOCR's default "min" 736 ran the detector on the whole 150 dpi page).
    cls: RapidOCR's per-line direction classifier; off, as the page is turned upright once first
    (orientation.turns). openvino: run the models on OpenVINO when the optional `openvino` package is
    importable (same models, read from the ONNX files RapidOCR ships). rec_min_width: px, the width RapidOCR's
    recogniser pads a narrower text line to (its rec_img_shape; the model's cost grows with the width)."""
    limit_type: str = "max"
    limit_side_len: int = 960
    cls: bool = False
    openvino: bool = True
    rec_min_width: int = 320


SETTINGS = Settings()
RING_MIN_WIDTH = 16     # px: a ring strip (88–722 px, median 280 in bench_ring_text and bench_stamp_corpus) is recognised
                        # at its own width, not padded to 320: the model's cost grows with the width
RING_THREADS = 1        # a strip is one small line: on 2 threads one 48×280 strip took 48 ms CPU against 22 ms on one
                        # (onnxruntime's pool spins; 2 loaded cores), for no gain in accuracy


def set_threads(n: int) -> None:
    """Threads each OCR may use (call before the first OCR in this process)."""
    THREADS["n"] = n
    _engine.cache_clear()


def openvino_available() -> bool:
    import importlib.util
    return importlib.util.find_spec("openvino") is not None


def engine():
    """The RapidOCR engine of SETTINGS (built once per settings and thread count)."""
    return _engine(SETTINGS, THREADS["n"])


def ring_engine():
    """The engine seal rings are read with (kcjs.pipeline.seal_ring): SETTINGS' models, recognition alone, on one
    thread, each strip at its own width. A page's OCR keeps engine(); a process that reads both loads the
    recogniser's model twice (~20 MB)."""
    return _engine(replace(SETTINGS, rec_min_width=RING_MIN_WIDTH), RING_THREADS)


MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
          "Rec": "PP-OCRv6_rec_small.onnx"}  # the models in RapidOCR's wheel (its onnxruntime defaults)


@lru_cache(maxsize=8)
def _engine(settings: Settings, threads: int):
    from pathlib import Path

    import rapidocr
    from rapidocr import RapidOCR
    params = {"Global.log_level": "error", "Global.max_side_len": 4000,
              "EngineConfig.onnxruntime.intra_op_num_threads": threads,
              "Det.limit_type": settings.limit_type, "Det.limit_side_len": settings.limit_side_len}
    if settings.rec_min_width != 320:  # RapidOCR's default rec_img_shape
        params["Rec.rec_img_shape"] = [3, 48, settings.rec_min_width]
    if settings.openvino and openvino_available():  # the shipped ONNX files: nothing is downloaded
        from rapidocr import EngineType
        params["EngineConfig.openvino.inference_num_threads"] = threads
        for task, name in MODELS.items():
            params[f"{task}.engine_type"] = EngineType.OPENVINO
            params[f"{task}.model_path"] = str(Path(rapidocr.__file__).parent / "models" / name)
    return RapidOCR(params=params)


def suppress_red(rgb: np.ndarray) -> np.ndarray:
    """Lift red seal ink off the page, so black text under a red seal is read and the seal is not:
    each red pixel becomes the grey of its red channel, scaled so the seal's own red turns white.
    Toner under the ink stays as dark as it was (painting red pixels white thinned the strokes and
    broke the date and stamp-line words under a seal)."""
    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    red = r - np.maximum(g, b) >= RED_MARGIN
    if not red.any():
        return rgb
    ink = r[red & (r >= 90)]
    ref = float(np.percentile(ink, 75)) if ink.size else 255.0
    out = rgb.copy()
    grey = np.clip(r[red].astype(np.float32) * 255.0 / max(ref, 1.0), 0, 255)
    grey[grey >= SEAL_LIFT] = 255  # the seal's own strokes, a little darker here and there, go
    out[red] = grey.astype(np.uint8)[:, None]
    return out


_JOIN = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef\d])\s+(?=[\u3000-\u9fff\uff00-\uffef\d])")


_HALF = str.maketrans("(),:;?!", "（），：；？！")
_HALF_NEAR_CJK = re.compile(r"(?<=[\u4e00-\u9fff\uff08-\uff09])[(),:;?!]|[(),:;?!](?=[\u4e00-\u9fff])")


def clean(text: str) -> str:
    """Undo OCR habits on Chinese text: spaces between CJK characters and digits, and half-width
    punctuation next to Chinese characters (the page has full-width （）：，)."""
    text = _HALF_NEAR_CJK.sub(lambda m: m.group().translate(_HALF), text.strip())
    text = re.sub(r"(?<=\d)\s*([.\-])\s*(?=\d)", r"\1", text)  # "4. 5" -> "4.5", "025 - 8362" -> "025-8362"
    return _JOIN.sub("", text)


def ocr_image(rgb: np.ndarray) -> list[OcrLine]:
    """Text lines of an RGB image, top to bottom, red ink removed first."""
    res = engine()(suppress_red(rgb), use_det=True, use_cls=SETTINGS.cls, use_rec=True)
    if res.boxes is None or res.txts is None:
        return []
    lines = []
    for box, txt, score in zip(res.boxes, res.txts, res.scores):
        xs, ys = box[:, 0], box[:, 1]
        t = clean(txt)
        if t:
            lines.append(OcrLine(t, (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())), float(score),
                                 tuple((float(x), float(y)) for x, y in box[:4])))
    lines.sort(key=lambda ln: (round(ln.box[1] / 8), ln.box[0]))
    return lines


def detect(rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Boxes (x0, y0, x1, y1 in px) of the text lines RapidOCR's detector finds; no recognition."""
    res = engine()(rgb, use_det=True, use_cls=False, use_rec=False)
    boxes = getattr(res, "boxes", None)
    if boxes is None:
        return []
    return [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max())) for b in boxes]


def upside_down(crops: list[np.ndarray]) -> bool:
    """RapidOCR's direction classifier on line images: do they read upside down (a vote weighted by
    its confidence)?"""
    vote = 0.0
    for crop in crops:
        res = engine()(crop, use_det=False, use_cls=True, use_rec=False)
        for label, score in getattr(res, "cls_res", None) or ():
            vote += score if "180" in str(label) else -score
    return vote > 0


def read_crop(rgb: np.ndarray) -> tuple[str, float] | None:
    """Recognise one line image without detection (for re-reading a small crop)."""
    res = engine()(suppress_red(rgb), use_det=False, use_cls=False, use_rec=True)
    if not res.txts:
        return None
    return clean(res.txts[0]), float(res.scores[0])
