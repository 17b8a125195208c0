def load_user(get_response):
    """Load the signed-in user before the view runs, so no query waits for template rendering."""

    def middleware(request):
        request.user.is_authenticated  # noqa: B018 - evaluates the lazy user object
        return get_response(request)

    return middleware
