"""The URL configuration of an old link (board.legacy.links.old_links sets it on the request):
every address goes to the one view that answers old links, and the site's own addresses stay
known, so that the 404 page and the redirects build their links as on any page."""

from django.urls import re_path

from postbbs.urls import urlpatterns as site

from .links import old_link

urlpatterns = [re_path(r"", old_link), *site]

handler500 = "board.views.server_error"
