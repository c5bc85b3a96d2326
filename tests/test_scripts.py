"""The scripts in scripts/ run the package of the checkout they sit in, even where another
checkout's package is installed (``make`` installs it in editable mode): a copy of the
repository benchmarks its own code."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script", ["bench.py", "make_samples.py"])
def test_a_script_imports_the_package_beside_it(tmp_path, script):
    copy = tmp_path / "checkout"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / script, copy / "scripts" / script)
    # a package that says where it was imported from, and stops the script there
    (copy / "ocr_labels").mkdir()
    (copy / "ocr_labels" / "__init__.py").write_text(
        "import sys\nprint('imported from', __file__)\nsys.exit(3)\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(copy / "scripts" / script), "--help"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert f"imported from {copy / 'ocr_labels' / '__init__.py'}" in proc.stdout
