from django.urls import path

from . import views

app_name = "board"

urlpatterns = [
    path("", views.post_list, name="post-list"),
    path("<int:number>/", views.post_detail, name="post-detail"),
]
