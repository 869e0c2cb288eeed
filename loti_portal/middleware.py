class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy that allows no inline script and no third-party origins.

    Django admin keeps its own inline styles, so style-src allows 'unsafe-inline' there only.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'{admin_styles}; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = self.POLICY.format(
                admin_styles=" 'unsafe-inline'" if admin else ""
            )
        return response
