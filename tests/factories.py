import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from factory.django import DjangoModelFactory

from board import reports, services
from board.models import (
    Attachment,
    Author,
    Board,
    Comment,
    LegacyKey,
    Post,
    PostImage,
    Report,
    Suspension,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")


class ModeratorFactory(UserFactory):
    """A site-wide moderator (the moderate_comment permission); with ``boards=[...]`` instead,
    a moderator of those boards only (each board's moderators group, made if it has none)."""

    username = factory.Sequence(lambda n: f"moderator{n}")

    @factory.post_generation
    def boards(self, create, boards):
        if not create:
            return
        if boards is None:
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label="board", codename="moderate_comment")
            )
            return
        for board in boards:
            if board.moderators_id is None:
                board.moderators = Group.objects.create(name=f"{board.slug} 모더레이터")
                Board.objects.filter(pk=board.pk).update(moderators=board.moderators)
            self.groups.add(board.moderators_id)


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name", locale="ko_KR")
    user = None


class PostFactory(DjangoModelFactory):
    """Posts are numbered by the board, as in production: through board.services."""

    class Meta:
        model = Post

    board = factory.LazyFunction(services.default_board)
    author = factory.SubFactory(AuthorFactory)
    title = factory.Faker("catch_phrase", locale="ko_KR")
    body = factory.Faker("paragraph", locale="ko_KR")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.publish_new_post(model_class(*args, **kwargs))


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(AuthorFactory)
    body = factory.Faker("sentence", locale="ko_KR")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.save_new_comment(model_class(*args, **kwargs))


class BoardFactory(DjangoModelFactory):
    class Meta:
        model = Board
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"board{n}")
    name = factory.Faker("catch_phrase", locale="ko_KR")


class PostImageFactory(DjangoModelFactory):
    """An attached image; the article's HTML and image flag follow, as in the admin."""

    class Meta:
        model = PostImage

    post = factory.SubFactory(PostFactory)
    image = factory.django.ImageField(width=64, height=48, color="navy", filename="photo.png")
    caption = factory.Faker("catch_phrase", locale="ko_KR")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        image = super()._create(model_class, *args, **kwargs)
        services.update_post(image.post)
        return image


class AttachmentFactory(DjangoModelFactory):
    """An attached file; the article's file mark follows, as in the admin."""

    class Meta:
        model = Attachment

    post = factory.SubFactory(PostFactory)
    file = factory.django.FileField(data=b"%PDF-1.4 test", filename="upload.pdf")
    name = "안내문.pdf"
    size = factory.LazyAttribute(lambda a: a.file.size)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        attachment = super()._create(model_class, *args, **kwargs)
        services.update_post(attachment.post)
        return attachment


class ReportFactory(DjangoModelFactory):
    """A reader's report of ``post`` or ``comment``, made through board.reports, so the item's
    count and auto-hide follow as on the site."""

    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    reason = Report.Reason.SPAM
    text = ""

    @classmethod
    def _create(cls, model_class, reporter, reason, text, post=None, comment=None, **kwargs):
        reports.report(reporter, reason=reason, text=text, post=post, comment=comment)
        key = {"post": post} if comment is None else {"comment": comment}
        return Report.objects.get(reporter=reporter, **key)


class SuspensionFactory(DjangoModelFactory):
    """A week's suspension from now."""

    class Meta:
        model = Suspension

    user = factory.SubFactory(UserFactory)
    reason = "도배"
    until = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))


class LegacyKeyFactory(DjangoModelFactory):
    """What an old site's id became, as an importer records it: give ``kind``, ``key`` and the
    object (``post=``, ``comment=``, ``attachment=``, ``image=``, ``category=``, ``board=``)."""

    class Meta:
        model = LegacyKey

    source = "xe"
    kind = LegacyKey.Kind.POST
    key = factory.Sequence(str)
