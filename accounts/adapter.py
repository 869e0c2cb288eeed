from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import linebreaks, urlize
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from loti_portal.utils import absolute_url, client_ip

from .services import user_complete_profile
from .throttles import (
    LOCKED_MESSAGE,
    TOO_MANY_FROM_HERE,
    account_sign_in_failed,
    account_sign_in_locked,
    client_sign_in_failed,
    client_sign_in_locked,
)

SITE_NAME = "LOTI Network Portal"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        return user_complete_profile(
            user=user,
            full_name=data.get("full_name", ""),
            job_title=data.get("job_title", ""),
            chosen_organisation=data.get("organisation"),
            requested_organisation_name=data.get("new_organisation_name", ""),
        )

    def get_client_ip(self, request):
        """The browser's address through the trusted proxy chain (TRUSTED_PROXY_COUNT), for every
        per-address limit allauth keeps."""
        return client_ip(request)

    def pre_authenticate(self, request, **credentials):
        """allauth's limits per address, then the cap per account across addresses."""
        super().pre_authenticate(request, **credentials)
        email = credentials.get("email", "")
        if client_sign_in_locked(ip=client_ip(request), email=email):
            raise forms.ValidationError(TOO_MANY_FROM_HERE, code="too_many_login_attempts")
        if account_sign_in_locked(email=email):
            raise forms.ValidationError(LOCKED_MESSAGE, code="account_locked")

    def authentication_failed(self, request, **credentials):
        super().authentication_failed(request, **credentials)
        client_sign_in_failed(ip=client_ip(request), email=credentials.get("email", ""))
        account_sign_in_failed(email=credentials.get("email", ""))

    def get_signup_redirect_url(self, request):
        """A new person, once their email is confirmed, chooses networks to join or apply to."""
        return reverse("networks:choose")

    def get_email_verification_redirect_url(self, email_address):
        """Someone who confirms their address in a browser where they are not signed in (the
        email opened on another device) signs in next; a newcomer then goes on to choose their
        networks, as they would have in the browser they signed up in."""
        url = super().get_email_verification_redirect_url(email_address)
        if self.request.user.is_authenticated or email_address.user.memberships.exists():
            return url
        return f"{resolve_url(url)}?{urlencode({'next': reverse('networks:choose')})}"

    # Every link and name in allauth's emails comes from SITE_URL, never from the request's Host
    # header (which anyone can set): the templates under templates/account/email/ build their
    # links from SITE_URL, and these give allauth the same.

    def get_email_confirmation_url(self, request, emailconfirmation):
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix, email, context):
        """allauth's emails with the portal's name and address in place of the request's."""
        context = {
            **context,
            "current_site": SimpleNamespace(name=SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc),
            "SITE_URL": settings.SITE_URL,
        }
        super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        """Every email is multipart: allauth's plain text, plus the same text in our HTML layout."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if not getattr(message, "alternatives", None) and message.content_subtype == "plain":
            # urlize escapes the text and adds only its own links; linebreaks adds paragraphs
            # without escaping again, so the HTML shows the text once, not its markup.
            content = mark_safe(linebreaks(urlize(message.body, autoescape=True)))  # noqa: S308
            html = render_to_string("emails/base-body.html", {"subject": message.subject, "content": content})
            message.attach_alternative(html, "text/html")
        return message
