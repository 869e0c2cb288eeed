from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter and digests"

    def ready(self):
        from . import emails  # noqa: F401  (registers the newsletter's email kinds)
