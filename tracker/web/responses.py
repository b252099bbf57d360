"""Files sent for download: the workbooks, documents and PDFs the pages offer."""

import io

from flask import send_file

from tracker.core.xlsx import XLSX_MIME

MIME_TYPES = {
    "xlsx": XLSX_MIME,
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def send_download(content, filename):
    """``content`` (bytes) as an attachment named ``filename``, its type read from the extension.

    send_file writes a Chinese name as filename*=UTF-8''… with an ASCII fallback.
    """
    kind = filename.rpartition(".")[2]
    return send_file(io.BytesIO(content), mimetype=MIME_TYPES[kind], as_attachment=True, download_name=filename)
