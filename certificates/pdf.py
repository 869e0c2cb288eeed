"""The certificate as a PDF (fpdf2), drawn on request: nothing is stored but its code."""

from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from events.formatting import format_date, in_london

from .models import Certificate
from .selectors import certificate_name, hours_text, organiser_text

# The portal's colours (GOV.UK Frontend's text and brand blue).
TEXT = (11, 12, 12)
BLUE = (29, 112, 184)
GREY = (80, 90, 95)


def _fonts(pdf: FPDF) -> str:
    """A Unicode font if the machine has one (names are printed as people spell them), else the
    PDF's built-in Helvetica, which only knows Latin-1."""
    folder = Path(settings.CERTIFICATE_FONT_DIR)
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdf.add_font("Portal", "", str(regular))
        pdf.add_font("Portal", "B", str(bold))
        return "Portal"
    return "Helvetica"


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(*, certificate: Certificate, verify_url: str, check_url: str) -> bytes:
    """One A4 landscape page: who attended which course, when, for how long, who organised it,
    and the code with the addresses where anyone can check it: its own page, and the page where
    a code is typed in (for someone reading it on paper)."""
    registration = certificate.registration
    event = registration.event
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_lang("en-GB")
    title = f"Certificate of attendance: {event.title}"
    pdf.set_title(title)
    pdf.set_author(organiser_text(event))
    pdf.set_creator("LOTI Network Portal")
    family = _fonts(pdf)
    plain = (lambda text: text) if family == "Portal" else _latin1
    pdf.add_page()

    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    width = pdf.w - 40

    def line(text: str, *, size: float, style: str = "", colour=TEXT, space: float = 4) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(*colour)
        pdf.set_x(20)
        pdf.multi_cell(width, size * 0.5, plain(text), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(space)

    pdf.set_y(32)
    line("Certificate of attendance", size=30, style="B", colour=BLUE, space=10)
    line("This is to certify that", size=14, colour=GREY)
    line(certificate_name(registration), size=26, style="B", space=6)
    line("attended the training course", size=14, colour=GREY)
    line(event.title, size=20, style="B", space=8)
    when = format_date(event.start)
    if in_london(event.start).date() != in_london(event.end).date():
        when = f"{when} to {format_date(event.end)}"
    line(f"on {when}, for {hours_text(event)}", size=14)
    line(f"Organised by {organiser_text(event)}", size=14, space=14)
    line(f"Verification code: {certificate.code}", size=12, style="B", colour=GREY, space=1)
    line(f"Check it at {verify_url}", size=11, colour=GREY, space=1)
    line(f"or enter the code at {check_url}", size=11, colour=GREY, space=0)
    return bytes(pdf.output())
