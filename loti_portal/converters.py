"""URL converters shared by the apps."""

from django.urls import register_converter


class TokenConverter:
    """A secret token in an address: letters, digits and - _ : only (URL-safe base64 and signed
    values). Anything else, such as a NUL character, is simply not found."""

    regex = r"[-A-Za-z0-9_:]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")
