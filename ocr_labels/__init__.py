"""ocr-labels: model and serial numbers from photos of rating labels."""
from .api import ScanOptions, classify_text, scan_files, scan_image, scan_paths
from .records import Record

__version__ = "0.1.0"
__all__ = ["ScanOptions", "Record", "classify_text", "scan_files", "scan_image", "scan_paths", "__version__"]
