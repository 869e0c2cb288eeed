"""What the networks pages tests share: addresses, what a page says, an application's answers."""

from django.urls import reverse


def url(name, network=None):
    return reverse(f"networks:{name}", args=[network.slug] if network else [])


def html_of(response):
    return response.content.decode()


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def apply_data(**overrides):
    data = {
        "job_title": "Head of Data",
        "organisation": "Camden",
        "reason": "To learn from other boroughs.",
        "seniority": "head_of_service",
    }
    data.update(overrides)
    return data
