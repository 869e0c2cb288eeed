from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import linebreaks, urlize
from django.utils.http import urlencode

from .services import user_complete_profile


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

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Count failed sign-ins per address *and* client IP address.

        allauth counts them per address alone, which lets anyone lock a person out by failing on
        purpose. Keyed by both, an attacker only locks out their own IP address; the per-IP limit
        still caps how fast any one address can guess.
        """
        return (
            f"{self.get_client_ip(request)}:{super()._get_login_attempts_cache_key(request, **credentials)}"
        )

    def confirm_email(self, request, email_address):
        """Once an address is confirmed, registrations made as a guest with it join the account."""
        from events.services.guests import guest_registrations_claim

        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            guest_registrations_claim(user=email_address.user, email=email_address.email)
        return confirmed

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

    def render_mail(self, template_prefix, email, context, headers=None):
        """Every email is multipart: allauth's plain text, plus the same text in our HTML layout."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if not getattr(message, "alternatives", None) and message.content_subtype == "plain":
            html = render_to_string(
                "emails/base-body.html",
                {"subject": message.subject, "content": linebreaks(urlize(message.body, autoescape=True))},
            )
            message.attach_alternative(html, "text/html")
        return message
