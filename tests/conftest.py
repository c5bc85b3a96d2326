import shutil

import pytest


@pytest.fixture(scope="session")
def tesseract():
    """Tests that run the engine need the real Tesseract: fail loudly, never skip, so a broken
    set-up is seen (`make test` installs it)."""
    if shutil.which("tesseract") is None:
        pytest.fail("tesseract is not installed: run `make test`, which installs it with apt-get")
    from ocr_labels.engines import tesseract_version

    return tesseract_version()
