from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "모더레이터"
EDITORS = "편집자"

EDITOR_PERMISSIONS = [
    "add_post", "change_post", "view_post",
    "add_postimage", "change_postimage", "delete_postimage", "view_postimage",
    "view_comment", "view_author",
]  # fmt: skip


def setup(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups below need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Board = apps.get_model("board", "Board")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})

    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="board",
            codename__in=["moderate_comment", "view_comment"],
        )
    )
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="board", codename__in=EDITOR_PERMISSIONS)
    )


def teardown(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[MODERATORS, EDITORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(setup, teardown)]
