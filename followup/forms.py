from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from networks.forms import Radios

from .models import FeedbackResponse, Material

# The files staff may share: office documents, PDFs and plain text. Each with the type it is
# served as and how its first bytes start (None: text, checked by decoding instead). Nothing a
# browser would run (HTML, SVG, scripts) is accepted.
_ZIP = b"PK\x03\x04"
ALLOWED_FILES = {
    "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "odp": ("application/vnd.oasis.opendocument.presentation", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "csv": ("text/csv", None),
    "txt": ("text/plain", None),
}
ALLOWED_NAMES = ", ".join(extension.upper() for extension in ALLOWED_FILES)
FILE_KINDS = {Material.Kind.SLIDES, Material.Kind.DOCUMENT}


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you sharing?",
        choices=Material.Kind.choices,
        widget=Radios,
        error_messages={"required": "Choose what you are sharing"},
    )
    title = forms.CharField(
        label="Title",
        help_text="What people see, for example “Slides: what we found”.",
        max_length=200,
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    file = forms.FileField(
        label="File (for slides or a document)",
        required=False,
        widget=forms.FileInput(attrs={"class": "govuk-file-upload"}),
        error_messages={"empty": "The file is empty", "invalid": "Choose a file to upload"},
    )
    url = forms.URLField(
        label="Link (for a recording or another link)",
        help_text="Starting https://, for example the recording on Stream or YouTube.",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a link starting https://",
            "max_length": "The link must be 500 characters or fewer",
        },
    )
    accessible = forms.BooleanField(
        label="This is an accessible version",
        help_text="For example a Word or HTML document that screen readers read well, or a recording "
        "with captions. A PDF of slides on its own is hard to use with a screen reader.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = f"{settings.MATERIALS_MAX_UPLOAD_MB} MB"
        self.fields["file"].help_text = f"{ALLOWED_NAMES}; at most {limit}."
        self.content_type = ""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        extension = PurePosixPath(upload.name).suffix.lower().lstrip(".")
        if extension not in ALLOWED_FILES:
            raise forms.ValidationError(f"The file must be one of these types: {ALLOWED_NAMES}")
        if upload.size > settings.MATERIALS_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"The file must be smaller than {settings.MATERIALS_MAX_UPLOAD_MB} MB "
                f"(this one is {filesizeformat(upload.size)})"
            )
        content_type, magic = ALLOWED_FILES[extension]
        upload.seek(0)
        head = upload.read(2048)
        upload.seek(0)
        if magic is not None and not head.startswith(magic):
            raise forms.ValidationError(
                f"The file is not a real {extension.upper()} file: save it again and upload it"
            )
        if magic is None:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as error:
                if error.start < len(head) - 4:  # not just a character cut at the end of the sample
                    raise forms.ValidationError(
                        f"The file is not a plain-text {extension.upper()} file (save it as UTF-8)"
                    ) from None
        self.content_type = content_type
        return upload

    def clean_url(self):
        url = self.cleaned_data.get("url", "")
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError("Enter a link starting https://")
        return url

    def clean(self):
        cleaned = super().clean()
        kind, upload, url = cleaned.get("kind"), cleaned.get("file"), cleaned.get("url")
        if kind in FILE_KINDS:
            if url:
                self.add_error("url", "Slides and documents are uploaded as a file: remove the link")
            elif not upload and "file" not in self.errors:
                self.add_error("file", "Choose a file to upload")
        elif kind:
            if upload:
                self.add_error("file", "A recording or other link is shared as a link: remove the file")
            elif not url and "url" not in self.errors:
                self.add_error("url", "Enter the link")
        return cleaned


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Overall, how would you rate the session?",
        choices=[(value, label) for value, label in reversed(FeedbackResponse.Rating.choices)],
        coerce=int,
        widget=Radios,
        error_messages={"required": "Choose a rating from 1 to 5"},
    )
    what_worked = forms.CharField(
        label="What worked well? (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "What worked well must be 2,000 characters or fewer"},
    )
    what_to_improve = forms.CharField(
        label="What could be better? (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "What could be better must be 2,000 characters or fewer"},
    )
