"""OCR engines behind one small protocol: ``read(image) -> list[Word]``; plus barcodes.

Tesseract is the installed ``tesseract`` program, found and checked through pytesseract. Each
read goes to the very library that program runs (``libtesseract``, through its C API) inside
this process, when the library is there and reports the program's version: the same words,
boxes and confidences, without starting a process and loading the model for every view and
crop. Views over a megapixel go to the same library in a worker process that stays loaded and
can be stopped at the time limit. Otherwise each read is ``pytesseract.image_to_data``. Either
way every call has a time limit, and bare errors are turned into ours. Other engines plug into
``ENGINES``.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import shutil
import struct
import tempfile
import threading
import time
import weakref
from functools import lru_cache
from typing import Callable, Protocol, Sequence

import cv2
import numpy as np

from .elements import Barcode, Box, Word
from .errors import EngineError, MissingEngineError, MissingTesseractError, OcrTimeoutError

# sparse text, LSTM only, no dictionary words forced onto serial numbers
TIMEOUT_BASE = 1.5  # seconds a Tesseract call gets, plus TIMEOUT_PER_MP per megapixel of the view
TIMEOUT_PER_MP = 1.0
OEM_LSTM_ONLY = 1
# Views up to this many pixels are read by the library in this process; larger ones by the
# program, which can be stopped at its time limit. The library's deadline holds between words
# only: on a 4 MP view of texture (hard generated photos) a call given 5.5 s ran for 61 s.
LIBRARY_MAX_PIXELS = 1_000_000
TESSERACT_VARIABLES = {"load_system_dawg": "0", "load_freq_dawg": "0", "tessedit_do_invert": "0"}
TESSERACT_CONFIG = f"--oem {OEM_LSTM_ONLY} " + " ".join(f"-c {k}={v}" for k, v in TESSERACT_VARIABLES.items())


class Engine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[Word]: ...


@lru_cache(maxsize=None)
def tesseract_version() -> str:
    """The installed Tesseract version; raises MissingTesseractError when it is absent."""
    import pytesseract

    cmd = os.environ.get("OCR_LABELS_TESSERACT") or shutil.which("tesseract")
    if not cmd:
        raise MissingTesseractError("the 'tesseract' program is not installed or not on PATH")
    pytesseract.pytesseract.tesseract_cmd = cmd
    try:
        version = str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError as e:
        raise MissingTesseractError(f"cannot run tesseract at {cmd}") from e
    try:
        langs = pytesseract.get_languages(config="")
    except Exception as e:  # pytesseract raises bare errors here
        raise MissingTesseractError(f"tesseract cannot list its languages: {e}") from e
    if "eng" not in langs:
        raise MissingTesseractError("Tesseract's English data (eng.traineddata) is not installed")
    return version


class _LibTesseract:
    """One Tesseract instance of this process and thread (an instance serves one caller at a
    time), through libtesseract's C API: the model is loaded once, not once per call (starting
    the program cost ~65 ms of a typical 80 ms crop read)."""

    def __init__(self, lib: ctypes.CDLL):
        self.lib = lib
        self.pid = os.getpid()  # an instance must not cross a fork
        self.handle = lib.TessBaseAPICreate()
        names = (ctypes.c_char_p * len(TESSERACT_VARIABLES))(*(k.encode() for k in TESSERACT_VARIABLES))
        values = (ctypes.c_char_p * len(TESSERACT_VARIABLES))(*(v.encode() for v in TESSERACT_VARIABLES.values()))
        if lib.TessBaseAPIInit4(self.handle, None, b"eng", OEM_LSTM_ONLY, None, 0, names, values,
                                len(TESSERACT_VARIABLES), 0) != 0:
            lib.TessBaseAPIDelete(self.handle)
            raise MissingTesseractError("libtesseract cannot load its English data (eng.traineddata)")
        # its notes ('Estimating resolution as 412') went to the program's stderr, which
        # pytesseract swallowed: here they would reach the user's terminal
        lib.TessBaseAPISetVariable(self.handle, b"debug_file", os.devnull.encode())
        atexit.register(self.close)

    def close(self) -> None:
        if self.handle and os.getpid() == self.pid:
            self.lib.TessBaseAPIEnd(self.handle)
            self.lib.TessBaseAPIDelete(self.handle)
        self.handle = None

    def tsv(self, image: np.ndarray, psm: int, limit: float) -> str:
        return self.recognise(image, psm, limit)[0]

    def recognise(self, image: np.ndarray, psm: int, limit: float,
                  alternatives: bool = False) -> tuple[str, dict[Box, tuple[tuple[int, str], ...]] | None]:
        """Tesseract's TSV of the image, and with ``alternatives`` :meth:`_alternatives` (the
        LSTM's choices cost about 15 % more time on the real photos' views: asked for on small
        crops only)."""
        lib = self.lib
        if image.ndim == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)  # the API takes RGB; OpenCV holds BGR
        image = np.ascontiguousarray(image, dtype=np.uint8)
        depth = 1 if image.ndim == 2 else image.shape[2]
        lib.TessBaseAPISetPageSegMode(self.handle, psm)
        # the words read are the same either way
        lib.TessBaseAPISetVariable(self.handle, b"lstm_choice_mode", b"2" if alternatives else b"0")
        lib.TessBaseAPISetImage(self.handle, image.ctypes.data, image.shape[1], image.shape[0], depth, image.strides[0])
        monitor = lib.TessMonitorCreate()
        started = time.perf_counter()
        try:
            # the deadline holds for recognition; page layout before it runs to its end
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(limit * 1000)))
            status = lib.TessBaseAPIRecognize(self.handle, monitor)
            if status != 0:
                if time.perf_counter() - started >= limit:
                    raise OcrTimeoutError(f"tesseract took longer than {limit:.3g} s")
                raise EngineError(f"tesseract failed to recognise the image (status {status})")
            text = lib.TessBaseAPIGetTsvText(self.handle, 0)
            if not text:
                raise EngineError("tesseract returned no result")
            tsv = _take_text(lib, text)
            return tsv, self._alternatives() if alternatives else None
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(self.handle)

    def _alternatives(self) -> dict[Box, tuple[tuple[int, str], ...]]:
        """The characters of the words just recognised that Tesseract nearly read as another
        letter or digit: its LSTM's runner-up for a character, scored within DOUBT_MARGIN of the
        character read ('3' read where 'J' scored 70 of 100 against 92), as (index into the
        word's text, character), by the word's box as in the TSV. Words of 3 or more letters and
        digits only."""
        lib = self.lib
        out: dict[Box, tuple[tuple[int, str], ...]] = {}
        it = lib.TessBaseAPIGetIterator(self.handle)
        if not it:
            return out
        try:
            page = lib.TessResultIteratorGetPageIterator(it)
            l, t, r, b = (ctypes.c_int() for _ in range(4))
            pairs: list[tuple[int, str]] = []
            offset, box = 0, (0, 0, 0, 0)
            while True:
                if lib.TessPageIteratorIsAtBeginningOf(page, RIL_WORD):
                    if pairs:
                        out[box] = tuple(pairs)
                    pairs, offset = [], 0
                    word = _take_text(lib, lib.TessResultIteratorGetUTF8Text(it, RIL_WORD))
                    if sum(ch.isalnum() for ch in word) < 3:
                        if not lib.TessResultIteratorNext(it, RIL_WORD):
                            break
                        continue
                    lib.TessPageIteratorBoundingBox(page, RIL_WORD, ctypes.byref(l), ctypes.byref(t),
                                                    ctypes.byref(r), ctypes.byref(b))
                    box = (l.value, t.value, r.value - l.value, b.value - t.value)
                symbol = _take_text(lib, lib.TessResultIteratorGetUTF8Text(it, RIL_SYMBOL))
                # (no text: no word there, and Tesseract asserts a word for the choices)
                for alt in _runners_up(lib, it, symbol) if symbol else ():
                    pairs.append((offset, alt))
                offset += len(symbol)
                if not lib.TessResultIteratorNext(it, RIL_SYMBOL):
                    break
            if pairs:
                out[box] = tuple(pairs)
        finally:
            lib.TessResultIteratorDelete(it)
        return out


RIL_WORD, RIL_SYMBOL = 3, 4  # Tesseract's PageIteratorLevel
# A character's runner-up scored at least the read character's score less this (of 100) is a
# doubt. Most runners-up score 0; the rest spread widely. With the focused re-reads asking, on
# the real photos, hard 6868, 6464, 6262 and mixed 6969 (both right % / wrong fields %): 20 gave
# 62.1/0.0, 50.0/1.7, 51.7/5.0, 48.3/5.0, 85.0/0.0; 30 the same but 48.3/4.2 on 6262; 45 also
# 51.7/4.2 on 6464; 60 also 65.5/0.0 on the real photos (an Apple serial's 5 that the second
# engine read and Tesseract nearly read); 75 the same as 60.
DOUBT_MARGIN = 60.0


def _take_text(lib: ctypes.CDLL, text: int | None) -> str:
    """A string that the C API allocated, freed once read."""
    if not text:
        return ""
    try:
        return ctypes.string_at(text).decode("utf-8", "replace")
    finally:
        lib.TessDeleteText(text)


def _runners_up(lib: ctypes.CDLL, it: int, symbol: str) -> list[str]:
    """Letters and digits other than ``symbol`` (of any case) that the LSTM scored within
    DOUBT_MARGIN of its best choice for the character at ``it``."""
    choices = lib.TessResultIteratorGetChoiceIterator(it)
    if not choices:
        return []
    scored = []
    try:
        while True:
            text = lib.TessChoiceIteratorGetUTF8Text(choices)
            if text:
                scored.append((text.decode("utf-8", "replace"), lib.TessChoiceIteratorConfidence(choices)))
            if not lib.TessChoiceIteratorNext(choices):
                break
    finally:
        lib.TessChoiceIteratorDelete(choices)
    if not scored:
        return []
    best_text, best = max(scored, key=lambda ts: ts[1])
    if best_text.upper() != symbol.upper():
        return []  # the choices of a neighbouring step, not this character's ('x' beside an 'X')
    out = []
    for text, score in scored:
        if score >= best - DOUBT_MARGIN and len(text) == 1 and text.isalnum() \
                and text.upper() != symbol.upper() and text.upper() not in out:
            out.append(text.upper())
    return out


_LIB_STATE: dict[str, object] = {}  # 'lib': the loaded library, 'off': True when it is not to be used
_PER_THREAD = threading.local()


def _declare(lib: ctypes.CDLL) -> None:
    p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    for name, res, args in (
            ("TessVersion", s, []),
            ("TessBaseAPICreate", p, []),
            ("TessBaseAPIInit4", i, [p, s, s, i, ctypes.POINTER(s), i, ctypes.POINTER(s), ctypes.POINTER(s),
                                     ctypes.c_size_t, i]),
            ("TessBaseAPISetVariable", i, [p, s, s]),
            ("TessBaseAPISetPageSegMode", None, [p, i]),
            ("TessBaseAPISetImage", None, [p, p, i, i, i, i]),
            ("TessBaseAPIRecognize", i, [p, p]),
            ("TessBaseAPIGetTsvText", p, [p, i]),
            ("TessDeleteText", None, [p]),
            ("TessBaseAPIClear", None, [p]),
            ("TessBaseAPIEnd", None, [p]),
            ("TessBaseAPIDelete", None, [p]),
            ("TessMonitorCreate", p, []),
            ("TessMonitorSetDeadlineMSecs", None, [p, i]),
            ("TessMonitorDelete", None, [p]),
            ("TessBaseAPIGetIterator", p, [p]),
            ("TessResultIteratorDelete", None, [p]),
            ("TessResultIteratorGetPageIterator", p, [p]),
            ("TessResultIteratorNext", i, [p, i]),
            ("TessResultIteratorGetUTF8Text", p, [p, i]),
            ("TessResultIteratorGetChoiceIterator", p, [p]),
            ("TessChoiceIteratorNext", i, [p]),
            ("TessChoiceIteratorGetUTF8Text", s, [p]),
            ("TessChoiceIteratorConfidence", ctypes.c_float, [p]),
            ("TessChoiceIteratorDelete", None, [p]),
            ("TessPageIteratorIsAtBeginningOf", i, [p, i]),
            ("TessPageIteratorBoundingBox", i, [p, i, ctypes.POINTER(i), ctypes.POINTER(i),
                                                ctypes.POINTER(i), ctypes.POINTER(i)])):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args


def _load_library(check_version: bool = True) -> ctypes.CDLL:
    """libtesseract with its C API declared, loaded once a process; raises OSError when it is
    absent or (``check_version``) of another version than the program's."""
    lib = _LIB_STATE.get("lib")
    if isinstance(lib, ctypes.CDLL):
        return lib
    lib = ctypes.CDLL(ctypes.util.find_library("tesseract") or "libtesseract.so.5")
    _declare(lib)
    version = (lib.TessVersion() or b"").decode()
    if check_version and version.lstrip("v") != tesseract_version().lstrip("v"):
        raise OSError(f"libtesseract {version} is not the program's {tesseract_version()}")
    try:  # leptonica's own complaints about odd boxes go to stderr; keep them off it
        lept = ctypes.CDLL(ctypes.util.find_library("lept") or "liblept.so.5")
        lept.setMsgSeverity(6)  # L_SEVERITY_NONE
    except (OSError, AttributeError):
        pass
    _LIB_STATE["lib"] = lib
    return lib


def _library() -> _LibTesseract | None:
    """This process's in-process Tesseract, or None to run the program instead: when the user
    named a program (OCR_LABELS_TESSERACT), OCR_LABELS_TESSERACT_LIBRARY=0, no libtesseract, or
    one of another version than the program's (its words could differ from the program's)."""
    if _LIB_STATE.get("off") or os.environ.get("OCR_LABELS_TESSERACT") or \
            os.environ.get("OCR_LABELS_TESSERACT_LIBRARY", "1") == "0":
        return None
    api = getattr(_PER_THREAD, "api", None)
    if isinstance(api, _LibTesseract) and api.pid == os.getpid() and api.handle:
        return api
    try:
        api = _LibTesseract(_load_library())
    except (OSError, AttributeError, MissingTesseractError):
        _LIB_STATE["off"] = True
        return None
    _PER_THREAD.api = api
    return api


class _Worker:
    """libtesseract loaded in a process of its own (``ocr_labels.tesseract_worker``), for views
    too large to read in this one: the library's deadline is checked between words only, and a
    process can be stopped at the time limit. It stays loaded from one view to the next, where
    the program would start and load its model for each (~0.1 s a call: 1.18 -> 1.06 s a photo
    on the real photos). One a thread, like the in-process instance."""

    def __init__(self) -> None:
        import subprocess
        import sys

        # the worker imports this very package, wherever it was imported from: first on its path,
        # before the working directory (which `-m` would put first: another checkout of the
        # package there would answer in another protocol)
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.pid = os.getpid()
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER_START, here],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        try:
            if self._receive(1, time.monotonic() + WORKER_START_LIMIT) != b"R":
                raise EngineError("the tesseract worker did not start")
        except (EngineError, OcrTimeoutError):
            self.close()
            raise

    def alive(self) -> bool:
        return self.pid == os.getpid() and self.proc.poll() is None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe:
                try:
                    pipe.close()
                except OSError:
                    pass

    def _receive(self, n: int, deadline: float) -> bytes:
        import select

        out = self.proc.stdout
        assert out is not None
        got = b""
        while len(got) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                raise OcrTimeoutError("tesseract worker: no answer in time")
            chunk = os.read(out.fileno(), n - len(got))
            if not chunk:
                raise EngineError("the tesseract worker stopped")
            got += chunk
        return got

    def tsv(self, image: np.ndarray, psm: int, limit: float) -> str:
        image = np.ascontiguousarray(image, dtype=np.uint8)
        depth = 1 if image.ndim == 2 else image.shape[2]
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(WORKER_REQUEST.pack(image.shape[0], image.shape[1], depth, psm, limit))
            self.proc.stdin.write(image.data)
            self.proc.stdin.flush()
            status, size = WORKER_REPLY.unpack(self._receive(WORKER_REPLY.size, time.monotonic() + limit))
            body = self._receive(size, time.monotonic() + WORKER_START_LIMIT).decode("utf-8", "replace")
        except OcrTimeoutError:
            self.close()  # still laying out texture: stop it, the next view starts a fresh one
            raise OcrTimeoutError(f"tesseract took longer than {limit:.3g} s") from None
        except (OSError, ValueError, EngineError) as e:
            self.close()
            raise EngineError(f"tesseract failed: {e}") from None
        if status == WORKER_TIMEOUT:
            raise OcrTimeoutError(f"tesseract took longer than {limit:.3g} s")
        if status != WORKER_OK:
            raise EngineError(body)
        return body


WORKER_START = ("import runpy, sys; sys.path.insert(0, sys.argv[1]); "
                "runpy.run_module('ocr_labels.tesseract_worker', run_name='__main__', alter_sys=True)")
WORKER_START_LIMIT = 30.0  # seconds to start the worker, and to send an answer once it began
WORKER_REQUEST = struct.Struct("<IIIId")  # height, width, channels, page segmentation mode, time limit
WORKER_REPLY = struct.Struct("<BI")  # status, length of the UTF-8 text that follows
WORKER_OK, WORKER_TIMEOUT, WORKER_ERROR = 0, 1, 2


def _worker() -> _Worker | None:
    """This thread's worker for large views, or None to run the program (when the library is
    not to be used, or the worker cannot start)."""
    if _library() is None or _LIB_STATE.get("worker off"):
        return None
    worker = getattr(_PER_THREAD, "worker", None)
    if isinstance(worker, _Worker) and worker.alive():
        return worker
    try:
        worker = _Worker()
    except (OSError, EngineError, OcrTimeoutError):
        _LIB_STATE["worker off"] = True
        return None
    _WORKERS.add(worker)
    _PER_THREAD.worker = worker
    return worker


_WORKERS: weakref.WeakSet[_Worker] = weakref.WeakSet()  # this process's, to stop when it ends


@atexit.register
def _close_workers() -> None:
    for worker in list(_WORKERS):
        if worker.pid == os.getpid():
            worker.close()


class TesseractEngine:
    name = "tesseract"

    def __init__(self, psm: int = 11, timeout: float = 60.0, config: str = TESSERACT_CONFIG):
        # Tesseract's OpenMP threads fight each other on small images: one thread per process is
        # 2-3x faster here (measured: 6 photos 10.7 s -> 3.8 s on 2 cores). A user's own setting wins.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.psm = psm
        self.timeout = timeout
        self.config = config

    def read(self, image: np.ndarray, psm: int | None = None, patience: float = 1.0,
             most: float | None = None, alternatives: bool = False) -> list[Word]:
        """The words Tesseract reads; ``patience`` scales the time limit (a view that is only a
        second chance gets less: one that takes long is texture, and the photo had its views);
        ``most`` caps it in seconds. With ``alternatives``, words read by the library in this
        process (an image of at most LIBRARY_MAX_PIXELS) have Word.alternatives set (else None)."""
        import pytesseract

        tesseract_version()
        config = f"--psm {psm or self.psm} {self.config}"
        # a normal view takes ~0.15 s per megapixel here (median of 190 views of 0.5 MP or more on
        # real and generated photos; the slowest that finished took 1.6 s/MP); one that takes
        # longer is texture Tesseract is trying to read, not text: give up on it sooner
        limit = min(self.timeout, patience * (TIMEOUT_BASE + TIMEOUT_PER_MP * image.size / 1e6),
                    most if most is not None else self.timeout)
        # the library is set up with TESSERACT_VARIABLES: another config goes to the program
        small = image.shape[0] * image.shape[1] <= LIBRARY_MAX_PIXELS
        if self.config == TESSERACT_CONFIG:
            reader = _library() if small else _worker()
            if isinstance(reader, _LibTesseract) and alternatives:
                tsv, near = reader.recognise(image, psm or self.psm, limit, True)
                return _words(_parse_tsv(tsv), near)
            if reader is not None:
                return _words(_parse_tsv(reader.tsv(image, psm or self.psm, limit)))
        # hand Tesseract an uncompressed BMP written by OpenCV: pytesseract would encode a PNG
        # with Pillow first, which cost ~10 % of a photo's time
        fd, path = tempfile.mkstemp(suffix=".bmp", prefix="ocr-labels-")
        os.close(fd)
        try:
            if not cv2.imwrite(path, image):
                raise EngineError("could not write the image for tesseract")
            data = pytesseract.image_to_data(path, lang="eng", config=config, timeout=limit,
                                             output_type=pytesseract.Output.DICT)
        except RuntimeError as e:
            if "timeout" in str(e).lower():
                raise OcrTimeoutError(f"tesseract took longer than {limit:.3g} s") from e
            raise EngineError(f"tesseract failed: {e}") from e
        except pytesseract.TesseractError as e:
            raise EngineError(f"tesseract failed: {e.message or e}") from e
        except pytesseract.TesseractNotFoundError as e:
            raise MissingTesseractError("the 'tesseract' program is not installed or not on PATH") from e
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        return _words(data)


_TSV_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
                "left", "top", "width", "height", "conf", "text")


def _parse_tsv(tsv: str) -> dict[str, list]:
    """The C API's TSV (no header row) as pytesseract's ``Output.DICT``."""
    data: dict[str, list] = {c: [] for c in _TSV_COLUMNS}
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < len(_TSV_COLUMNS) - 1:
            continue
        cells += [""] * (len(_TSV_COLUMNS) - len(cells))
        for c, v in zip(_TSV_COLUMNS, cells):
            # pytesseract hands the program's confidences on as whole numbers: so do we
            data[c].append(v if c == "text" else int(float(v)))
    return data


def _words(data: dict[str, list], alternatives: dict[Box, tuple[tuple[int, str], ...]] | None = None) -> list[Word]:
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
        words.append(Word(text, box, min(1.0, conf / 100.0),
                          (data["block_num"][i], data["par_num"][i], data["line_num"][i]),
                          None if alternatives is None else
                          tuple((k, ch) for k, ch in alternatives.get(box, ()) if k < len(text))))
    return words


BLOCK_SIDE = 256  # px: RapidOCR's detector sees a crop's short side at least this long (read_block)


class RapidOcrEngine:
    """The second engine (optional extra ``rapidocr``): its wheel ships its models."""

    name = "rapidocr"

    def __init__(self, threads: int | None = None) -> None:
        """``threads``: onnxruntime's threads per model (None: as many as the machine has cores).
        Photos read in parallel processes should share the cores out, as Tesseract does."""
        try:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]
        except ImportError as e:
            raise MissingEngineError("--engine rapidocr needs the optional package: pip install 'ocr-labels[rapidocr]'") from e
        self._make = RapidOCR
        self._options = {} if threads is None else {"intra_op_num_threads": threads}
        self._ocr = RapidOCR(**self._options)
        self._crops = None  # for read_block, made when first asked
        # the recogniser's scores for each character at each step, kept for read_line
        rec = getattr(self._ocr, "text_rec", None)
        decode = getattr(rec, "postprocess_op", None)
        self._kept = _KeptOutput(decode) if callable(decode) and hasattr(decode, "character") else None
        if self._kept is not None:
            rec.postprocess_op = self._kept

    def read(self, image: np.ndarray) -> list[Word]:
        return self._detect_and_read(image, self._ocr)

    @staticmethod
    def _run(ocr, image: np.ndarray, **steps: bool) -> list:
        """What one of RapidOCR's instances gives for an image (grey or colour), its steps as asked."""
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        try:
            result, _ = ocr(image, **steps)
        except Exception as e:  # onnxruntime raises its own types
            raise EngineError(f"rapidocr failed: {e}") from e
        return result or []

    @classmethod
    def _detect_and_read(cls, image: np.ndarray, ocr, **steps: bool) -> list[Word]:
        words = []
        for line_no, (points, text, score) in enumerate(cls._run(ocr, image, **steps)):
            pts = np.asarray(points, dtype=np.float64)
            x0, y0 = pts.min(axis=0)
            x1, y1 = pts.max(axis=0)
            words += _line_words(text, score, (x0, y0, x1, y1), line_no)
        return words

    def read_line(self, image: np.ndarray) -> list[Word]:
        """The recogniser alone on an image holding one line of text (a zoomed crop of a key
        and its value): no text detection, about 10 ms a crop."""
        h, w = image.shape[:2]
        words = []

        def run() -> list:
            return self._run(self._ocr, image, use_det=False, use_cls=False, use_rec=True)

        items, scores = self._kept.keeping(run) if self._kept is not None else (run(), None)
        for line_no, item in enumerate(items):
            text, score = str(item[0]), float(item[1])
            near = None if scores is None or len(items) != 1 else \
                ctc_alternatives(scores, self._kept.decode.character, text)
            words += _line_words(text, score, (0.0, 0.0, float(w), float(h)), line_no, near)
        return words

    def read_block(self, image: np.ndarray) -> list[Word]:
        """The text detector and the recogniser on a small crop that may hold more than one
        line (a key with its value under it, or beside a barcode). Detection as in
        :meth:`read` would first enlarge the crop until its short side is 736 px: 1-4 s for a
        zoomed key of 100 x 600 px. Here the short side is brought to ``BLOCK_SIDE``: on the
        real photos 48 crops took 5.1 s, at most 0.45 s each, and 4.4 s without the angle
        classifier. (At 160 px they took 3.6 s, and two wrong values came back on the hard
        working sets.)"""
        if self._crops is None:
            self._crops = self._make(det_limit_side_len=BLOCK_SIDE, **self._options)
        # the crop is cut from a levelled view: its lines are the right way up, and the
        # classifier that would turn a line it takes for upside down only costs time
        return self._detect_and_read(image, self._crops, use_cls=False)


def _line_words(text: str, score: float, box: tuple[float, float, float, float], line_no: int,
                alternatives: tuple[tuple[int, str], ...] | None = None) -> list[Word]:
    """One line an engine read as a string: its words, sharing the line's width by characters,
    each with the ``alternatives`` (index into the line's text, character) that fall in it."""
    x0, y0, x1, y1 = box
    total = max(1, len(text))
    words = []
    pos = 0
    for part in text.split():
        start = text.index(part, pos)
        left = x0 + (x1 - x0) * start / total
        width = (x1 - x0) * len(part) / total
        near = None if alternatives is None else tuple(
            (i - start, ch) for i, ch in alternatives if start <= i < start + len(part))
        words.append(Word(part, (int(left), int(y0), int(width), int(y1 - y0)),
                          float(min(1.0, max(0.0, score))), (line_no,), near))
        pos = start + len(part)
    return words


# A character RapidOCR's recogniser read is nearly read as another letter or digit when that one
# scored at least 1/SURE_RATIO of the character read at the step that read it most surely.
# On the generated working sets' cross-check dissents, where Tesseract and the recogniser read a
# value differently, 21 of the 36 characters that the recogniser read right scored 50 or more
# times their runner-up; none of the 8 it read wrong scored more than 17 times (8 and Q read 0,
# 3 read S, F read E).
SURE_RATIO = 20.0


class _KeptOutput:
    """RapidOCR's CTC decoder, wrapped so that :meth:`keeping` can hand back the recogniser's
    output (each step's scores for every character) of the one call it asks about, in its own
    thread (a process's engines are shared by its threads)."""

    def __init__(self, decode: Callable) -> None:
        self.decode = decode
        self._local = threading.local()

    def __call__(self, preds: np.ndarray, *args, **kwargs):
        if getattr(self._local, "wanted", False):
            self._local.kept.append(preds)
        return self.decode(preds, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.decode, name)

    def keeping(self, run: Callable[[], list]) -> tuple[list, np.ndarray | None]:
        """``run()``'s result, and the output of the recogniser's one batch that it ran (None
        when it ran none or several)."""
        self._local.wanted, self._local.kept = True, []
        try:
            result = run()
            kept = self._local.kept
            return result, kept[0] if len(kept) == 1 else None
        finally:
            self._local.wanted, self._local.kept = False, []


def ctc_alternatives(preds: np.ndarray, chars: Sequence[str], text: str) -> tuple[tuple[int, str], ...] | None:
    """For one line that a CTC recogniser read as ``text`` (``preds``: its output for a batch
    of that one line; ``chars``: its characters, 0 the blank): (index into text, character)
    for every letter or digit (of another case-folded glyph) that scored at least 1/SURE_RATIO
    of the character read, at the step where that character scored highest. None when the
    output is not that line's."""
    if preds.ndim != 3 or preds.shape[0] != 1:
        return None
    scores = preds[0]
    best = scores.argmax(axis=1)
    runs: list[list[int]] = []  # the steps that read each character of the text
    for t, k in enumerate(best):
        if k == 0:  # CTC's blank
            continue
        if t > 0 and best[t - 1] == k:
            runs[-1].append(t)
        else:
            runs.append([t])
    if "".join(chars[best[run[0]]] for run in runs) != text:
        return None
    out = []
    for i, run in enumerate(runs):
        k = best[run[0]]
        t = max(run, key=lambda s: scores[s, k])
        read = chars[k].upper()
        for j in np.nonzero(scores[t] * SURE_RATIO >= scores[t, k])[0]:
            other = chars[j].upper() if j else ""
            if len(other) == 1 and other.isascii() and other.isalnum() and other != read \
                    and (i, other) not in out:
                out.append((i, other))
    return tuple(out)


ENGINES: dict[str, Callable[[], Engine]] = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine}


def get_engine(name: str) -> Engine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise MissingEngineError(f"unknown engine {name!r}; choose from {', '.join(sorted(ENGINES))}") from None
    return factory()


def read_barcodes(image: np.ndarray) -> list[Barcode]:
    """Every 1D and 2D code zxing-cpp finds, with its box in the given image's pixels: dark bars
    on a light ground. (Searching every image inverted as well took a third of the search's time,
    7.7 -> 5.1 s over 109 real and generated photos, and found no code more: a page whose print
    is light on dark is searched inverted once, see ``api._ocr_views``.)"""
    import zxingcpp

    found = []
    try:
        results = zxingcpp.read_barcodes(image, try_invert=False)
    except Exception as e:  # a decoder failure must not lose the OCR result
        raise EngineError(f"barcode reader failed: {e}") from e
    for r in results:
        pos = r.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        text = r.text.strip()
        if text:
            found.append(Barcode(str(r.format).split(".")[-1], text,
                                 (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))))
    return found
