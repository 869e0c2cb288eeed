"""One helper for every email the portal sends.

An email named `name` is three templates under templates/emails/: `name-subject.txt`,
`name-body.txt` and `name-body.html`. Every message is multipart (plain text + HTML).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string

from .utils import absolute_url


def email_build(
    *,
    template: str,
    to: Iterable[str],
    context: dict | None = None,
    headers: dict | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    reply_to: Iterable[str] = (),
) -> EmailMultiAlternatives:
    """Render an email from its three templates; does not send it."""
    ctx = {"SITE_URL": settings.SITE_URL, "absolute_url": absolute_url, **(context or {})}
    subject = " ".join(_render_plain(f"emails/{template}-subject.txt", ctx).split())
    text = _render_plain(f"emails/{template}-body.txt", ctx)
    html = render_to_string(f"emails/{template}-body.html", {**ctx, "subject": subject})
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers=headers or {},
        reply_to=list(reply_to),
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def _render_plain(name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping: "O'Brien" stays O'Brien in a subject."""
    return get_template(name).template.render(Context(context, autoescape=False))


def email_send(**kwargs) -> None:
    """Render and send one email (see email_build for the arguments)."""
    email_build(**kwargs).send()
