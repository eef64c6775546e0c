"""QR codes for ticket slips, drawn as SVG by the ``qrcode`` package and embedded as a ``data:``
URI: the strict CSP allows ``img-src data:`` and the slip needs no extra request or file, so
a kiosk printing offline or a phone saving the page keeps the code.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.constants
import qrcode.image.svg

# Medium error correction survives a crease or a smudge on thermal paper; a four-module quiet
# zone is what the QR standard asks for, so phone cameras find the code on any background.
_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
_BORDER = 4


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as an ``<svg>`` element (one path, no style attribute)."""
    code = qrcode.QRCode(
        error_correction=_ERROR_CORRECTION, border=_BORDER, image_factory=qrcode.image.svg.SvgPathImage
    )
    code.add_data(text)
    code.make(fit=True)
    markup = code.make_image().to_string(encoding="unicode")
    # The package names its path "qr-path"; a page may show several codes and ids must be unique.
    return markup.replace(' id="qr-path"', "")


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as a ``data:image/svg+xml`` URI for an ``<img src>``."""
    encoded = base64.b64encode(qr_svg(text).encode()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
