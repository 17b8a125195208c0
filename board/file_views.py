"""Uploaded images and attached files, served only while their article may be seen."""

import warnings

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe
from PIL import Image as PILImage

from . import services
from .models import Attachment, PostImage


def may_see(request, post):
    """Whether this request may see ``post``'s files: anyone's while it is listed, staff's
    before that (scheduled) and after its removal; a secret article's, only its author's and
    staff's (``post.author`` loaded with it)."""
    if not services.can_read(request.user, post, post.author.user_id):
        return False
    if post.is_listed:  # removal takes an article out of the listing
        return True
    return request.user.is_staff and request.user.has_perm("board.view_post")


def file_cache_control(post):
    """A hidden or secret article's file never stays in a shared cache, and a public one is
    checked again on every request: once its article is removed, it is for staff only."""
    return "public, no-cache" if post.is_listed and not post.is_secret else "private, no-store"


@require_safe
def media_file(request, path):
    """An uploaded image, served only while its article may be seen: to anyone once the
    article is listed, to staff before that (scheduled) and after its removal. Anyone else
    gets the same 404 as for a file that does not exist, so nothing reveals an embargoed
    photo; a file that belongs to no image is a 404 too, whatever its name or length."""
    if "\x00" in path:
        raise Http404  # PostgreSQL refuses NUL in a string: no such file either way
    image = PostImage.objects.select_related("post__author").filter(image=path).first()
    if image is None:
        raise Http404
    post = image.post
    if not may_see(request, post):
        raise Http404
    try:
        file = image.image.storage.open(image.image.name, "rb")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            kind = PILImage.open(file).format  # the header's word, not the file name's
        file.seek(0)
    except Exception as error:  # missing, unreadable or not an image at all
        raise Http404 from error
    content_type = PILImage.MIME.get(kind)
    if content_type is None:
        file.close()
        raise Http404
    response = FileResponse(file, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = file_cache_control(post)
    return response


@require_safe
def attachment_download(request, pk):
    """An attached file, always as a download under its original name, never shown by the
    site. Served on the same terms as images (media_file): the same 404 for a file of a
    hidden article as for none at all. Each GET counts one download; HEAD counts nothing."""
    found = Attachment.objects.select_related("post__author").only(
        "name", "file", "downloads", "post__seq", "post__is_secret", "post__author__user_id"
    )
    attachment = found.filter(pk=pk).first()
    if attachment is None or not may_see(request, attachment.post):
        raise Http404
    try:
        file = attachment.file.storage.open(attachment.file.name, "rb")
    except Exception as error:  # missing or unreadable
        raise Http404 from error
    if request.method == "GET":
        services.count_download(attachment)
    # A neutral type: the name's extension never decides how a browser treats the bytes.
    response = FileResponse(
        file,
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = file_cache_control(attachment.post)
    return response
